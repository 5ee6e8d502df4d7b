/*
 * shm_front.c - a blkif frontend in another process, built from Xen's ring.h macros.
 *
 * It creates the shared-memory file (it is the guest: the memory, grant table and ring are its),
 * announces its own layout (-m32: x86_32-abi, -m64: x86_64-abi) in the header's `abi` field and
 * as its `protocol` key, does the XenBus handshake through the header, then drives the backend:
 * WRITEs of a pattern (11 segments, partial pages too, more requests than the ring holds),
 * FLUSH_DISKCACHE, READs back into fresh pages and a byte compare, an unknown operation
 * (EOPNOTSUPP echoing it) and a READ past the end (ERROR). Every response is checked: id pending,
 * operation matching, status expected. Finally Closing/Closed, and optionally the image file
 * itself is compared with the pattern.
 *
 *   shm_front run <file> <ring-page-order> [image-to-verify] [timeout_ms]
 *
 * Output: PASS/FAIL lines (counted by run.sh); exit 1 on any failure.
 */
#include "shm.h"

#define GRANT_ENTRIES 4096u
#define GRANT_PAGES (GRANT_ENTRIES * 8u / SHM_PAGE)
#define DATA_PAGES 128u
#define BACK_DOMID 0
#define FRONT_DOMID 1
#define FIRST_RING_REF 8u
#define FIRST_DATA_REF (FIRST_RING_REF + (1u << INTEROP_MAX_ORDER))
#define IN_FLIGHT 11u /* requests at once: 11 x 11 pages <= DATA_PAGES */
#define REQUESTS 48u  /* per phase: more than a one-page ring holds */
#define ID_TAG 0x5EED000000000000ULL

static struct shm_map shm;
static blkif_front_ring_t fr;
static uint32_t ring_order, max_order;
static uint64_t sectors;
static unsigned passed, failed;
static uint64_t deadline;

static void check(int ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void check(int ok, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("%s shm_front %s: ", ok ? "PASS" : "FAIL", INTEROP_ABI);
    vprintf(fmt, ap);
    putchar('\n');
    va_end(ap);
    if (ok) passed++; else failed++;
}

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("FAIL shm_front %s: ", INTEROP_ABI);
    vprintf(fmt, ap);
    putchar('\n');
    va_end(ap);
    if (shm.base) shm_set32(&shm, SHM_OFF_FRONT_STATE, SHM_XB_CLOSED);
    exit(1);
}

static uint8_t *guest(void) { return shm.base + SHM_HEADER_SIZE; }
static uint8_t *data_page(unsigned i) { return guest() + (size_t)(GRANT_PAGES + (1u << max_order) + i) * SHM_PAGE; }
static uint32_t data_frame(unsigned i) { return GRANT_PAGES + (1u << max_order) + i; }
static volatile struct shm_grant_v1 *grant(uint32_t ref) { return (volatile struct shm_grant_v1 *)guest() + ref; }

static void grant_access(uint32_t ref, uint32_t frame, int readonly)
{
    grant(ref)->domid = BACK_DOMID;
    grant(ref)->frame = frame;
    __sync_synchronize(); /* the entry before the flag, as gnttab does */
    grant(ref)->flags = (uint16_t)(GTF_permit_access | (readonly ? GTF_readonly : 0));
}

static void end_access(uint32_t ref) { grant(ref)->flags = 0; }

/* The pattern byte at a disk byte offset. */
static uint8_t pattern(uint64_t off) { return (uint8_t)(((off * 2654435761u) >> 11) ^ (off >> 9) ^ 0x5a); }

static void create_file(const char *path)
{
    uint64_t guest_len = (uint64_t)(GRANT_PAGES + (1u << max_order) + DATA_PAGES) * SHM_PAGE;
    uint64_t len = SHM_HEADER_SIZE + guest_len;
    unlink(path);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) die("create %s: %s", path, strerror(errno));
    if (ftruncate(fd, (off_t)len) != 0) die("ftruncate: %s", strerror(errno));
    if (shm_map_fd(&shm, fd, (size_t)len) != 0) die("mmap: %s", strerror(errno));
    shm_set32(&shm, SHM_OFF_VERSION, SHM_VERSION);
    shm_set32(&shm, SHM_OFF_HEADER_SIZE, SHM_HEADER_SIZE);
    shm_set64(&shm, SHM_OFF_FILE_SIZE, len);
    shm_set32(&shm, SHM_OFF_PAGE_SIZE, SHM_PAGE);
    shm_set32(&shm, SHM_OFF_MAX_RING_ORDER, max_order);
    shm_set_str(&shm, SHM_OFF_ABI, INTEROP_ABI);
    shm_set32(&shm, SHM_OFF_FRONT_DOMID, FRONT_DOMID);
    shm_set32(&shm, SHM_OFF_BACK_DOMID, BACK_DOMID);
    shm_set64(&shm, SHM_OFF_GUEST_OFFSET, SHM_HEADER_SIZE);
    shm_set64(&shm, SHM_OFF_GUEST_LENGTH, guest_len);
    shm_set64(&shm, SHM_OFF_GRANT_OFFSET, SHM_HEADER_SIZE);
    shm_set32(&shm, SHM_OFF_GRANT_ENTRIES, GRANT_ENTRIES);
    shm_set64(&shm, SHM_OFF_RING_OFFSET, SHM_HEADER_SIZE + (uint64_t)GRANT_PAGES * SHM_PAGE);
    shm_set32(&shm, SHM_OFF_RING_LENGTH, SHM_PAGE << max_order);
    shm_set64(&shm, SHM_OFF_DATA_OFFSET, SHM_HEADER_SIZE + (uint64_t)(GRANT_PAGES + (1u << max_order)) * SHM_PAGE);
    shm_set64(&shm, SHM_OFF_DATA_LENGTH, (uint64_t)DATA_PAGES * SHM_PAGE);
    shm_set32(&shm, SHM_OFF_FRONT_PID, (uint32_t)getpid());
    shm_set32(&shm, SHM_OFF_FRONT_STATE, SHM_XB_INITIALISING);
    __sync_synchronize();
    *(volatile uint64_t *)(shm.base + SHM_OFF_MAGIC) = SHM_MAGIC; /* last */
    __sync_synchronize();
}

static void wait_back_state(uint32_t want_min, const char *what)
{
    unsigned spins = 0;
    for (;;) {
        uint32_t s = shm_get32(&shm, SHM_OFF_BACK_STATE);
        if (s >= want_min && s <= SHM_XB_CONNECTED) return;
        if (s >= SHM_XB_CLOSING && want_min <= SHM_XB_CONNECTED) die("backend went to state %u while waiting for %s", s, what);
        if (shm_now_ms() > deadline) die("timed out waiting for the backend to reach %s (state %u)", what, s);
        shm_pause(&spins);
    }
}

/* One request in flight: its id, what it was, the pages it holds and what status is expected. */
struct pending {
    int live;
    uint8_t op;
    int16_t expect;
    unsigned first_page, pages;
    uint64_t sector;
    unsigned nsect[BLKIF_MAX_SEGMENTS_PER_REQUEST];
    unsigned first[BLKIF_MAX_SEGMENTS_PER_REQUEST];
};
static struct pending slots[IN_FLIGHT + 2];
static unsigned live_count, bad_responses, verify_errors, wrong_status;
static uint32_t seen_b2f;

static void complete(const blkif_response_t *r)
{
    uint64_t id = r->id;
    if ((id & ~0xffffULL) != ID_TAG || (id & 0xffff) >= IN_FLIGHT + 2 || !slots[id & 0xffff].live) {
        bad_responses++;
        printf("  response with unknown id 0x%llx\n", (unsigned long long)id);
        return;
    }
    struct pending *p = &slots[id & 0xffff];
    if (r->operation != p->op) { bad_responses++; printf("  id %llu: operation %u, sent %u\n", (unsigned long long)(id & 0xffff), r->operation, p->op); }
    if (r->status != p->expect) { wrong_status++; printf("  op %u sector %llu: status %d, expected %d\n", p->op, (unsigned long long)p->sector, r->status, p->expect); }
    if (p->op == BLKIF_OP_READ && r->status == BLKIF_RSP_OKAY) {
        uint64_t off = p->sector * 512u;
        for (unsigned i = 0; i < p->pages; i++) {
            const uint8_t *b = data_page(p->first_page + i) + p->first[i] * 512u;
            for (unsigned j = 0; j < p->nsect[i] * 512u; j++, off++)
                if (b[j] != pattern(off)) { if (verify_errors++ < 5) printf("  byte at disk offset %llu: 0x%02x, expected 0x%02x\n", (unsigned long long)off, b[j], pattern(off)); }
        }
    }
    for (unsigned i = 0; i < p->pages; i++) end_access(FIRST_DATA_REF + p->first_page + i);
    p->live = 0;
    live_count--;
}

static void consume_responses(void)
{
    int more;
    do {
        RING_IDX rp = fr.sring->rsp_prod;
        xen_rmb();
        if ((RING_IDX)(rp - fr.rsp_cons) > RING_SIZE(&fr)) die("rsp_prod %u is more than the ring ahead of rsp_cons %u", rp, fr.rsp_cons);
        while (fr.rsp_cons != rp) {
            blkif_response_t copy;
            memcpy(&copy, RING_GET_RESPONSE(&fr, fr.rsp_cons), sizeof copy);
            fr.rsp_cons++;
            complete(&copy);
        }
        RING_FINAL_CHECK_FOR_RESPONSES(&fr, more);
    } while (more);
}

/* Waits for an event from the backend (its counter moving), then consumes. */
static void wait_event(void)
{
    if (!shm_wait_change(&shm, SHM_OFF_EVT_B2F, seen_b2f, deadline))
        die("timed out waiting for responses (%u outstanding, rsp_prod %u, rsp_cons %u)", live_count, fr.sring->rsp_prod, fr.rsp_cons);
    seen_b2f = shm_get32(&shm, SHM_OFF_EVT_B2F);
    consume_responses();
}

static unsigned free_slot(void)
{
    while (live_count >= IN_FLIGHT || RING_FULL(&fr)) wait_event();
    for (unsigned i = 0; i < IN_FLIGHT; i++) if (!slots[i].live) return i;
    die("no free slot with %u live", live_count);
}

static void push(void)
{
    int notify;
    RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&fr, notify);
    if (notify) shm_notify(&shm, SHM_OFF_EVT_F2B);
}

/* A READ or WRITE of request k's extent: 11 segments, some partial pages, contiguous on disk. */
static void submit_rw(uint8_t op, unsigned k)
{
    unsigned s = free_slot();
    struct pending *p = &slots[s];
    memset(p, 0, sizeof *p);
    p->live = 1;
    p->op = op;
    p->expect = BLKIF_RSP_OKAY;
    p->first_page = s * BLKIF_MAX_SEGMENTS_PER_REQUEST;
    p->pages = BLKIF_MAX_SEGMENTS_PER_REQUEST;
    p->sector = (uint64_t)k * 88u;
    blkif_request_t *req = RING_GET_REQUEST(&fr, fr.req_prod_pvt);
    blkif_request_t r;
    memset(&r, 0, sizeof r);
    r.operation = op;
    r.nr_segments = (uint8_t)p->pages;
    r.handle = 0;
    r.id = ID_TAG | s;
    r.sector_number = p->sector;
    uint64_t off = p->sector * 512u;
    for (unsigned i = 0; i < p->pages; i++) {
        unsigned first = (k + i) % 4 == 1 ? 1 + (k % 3) : 0;
        unsigned last = (k + i) % 5 == 2 ? 5 : 7;
        p->first[i] = first;
        p->nsect[i] = last - first + 1;
        uint8_t *page = data_page(p->first_page + i);
        if (op == BLKIF_OP_WRITE) {
            for (unsigned j = 0; j < p->nsect[i] * 512u; j++) page[first * 512u + j] = pattern(off + j);
        } else {
            memset(page, 0xEE, SHM_PAGE);
        }
        off += p->nsect[i] * 512u;
        uint32_t ref = FIRST_DATA_REF + p->first_page + i;
        grant_access(ref, data_frame(p->first_page + i), op == BLKIF_OP_WRITE);
        r.seg[i].gref = ref;
        r.seg[i].first_sect = (uint8_t)first;
        r.seg[i].last_sect = (uint8_t)last;
    }
    memcpy(req, &r, sizeof r); /* built privately, then copied to the ring */
    fr.req_prod_pvt++;
    live_count++;
}

/* A request with no data: FLUSH, an unknown op, a READ past the end (one segment). */
static void submit_simple(uint8_t op, uint64_t sector, int16_t expect, int with_segment)
{
    unsigned s = free_slot();
    struct pending *p = &slots[s];
    memset(p, 0, sizeof *p);
    p->live = 1;
    p->op = op;
    p->expect = expect;
    p->sector = sector;
    p->first_page = s * BLKIF_MAX_SEGMENTS_PER_REQUEST;
    blkif_request_t r;
    memset(&r, 0, sizeof r);
    r.operation = op;
    r.id = ID_TAG | s;
    r.sector_number = sector;
    if (with_segment) {
        p->pages = 1;
        p->nsect[0] = 8;
        uint32_t ref = FIRST_DATA_REF + p->first_page;
        grant_access(ref, data_frame(p->first_page), 0);
        r.nr_segments = 1;
        r.seg[0].gref = ref;
        r.seg[0].first_sect = 0;
        r.seg[0].last_sect = 7;
    }
    memcpy(RING_GET_REQUEST(&fr, fr.req_prod_pvt), &r, sizeof r);
    fr.req_prod_pvt++;
    live_count++;
}

static void drain(void)
{
    push();
    while (live_count > 0) wait_event();
}

static int verify_image(const char *path)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0) { printf("  open %s: %s\n", path, strerror(errno)); return 0; }
    static uint8_t buf[88 * 512];
    unsigned errors = 0;
    for (unsigned k = 0; k < REQUESTS; k++) {
        /* Only the sectors the segments covered hold the pattern; walk them the same way. */
        uint64_t off = (uint64_t)k * 88u * 512u;
        unsigned total = 0;
        for (unsigned i = 0; i < BLKIF_MAX_SEGMENTS_PER_REQUEST; i++) {
            unsigned first = (k + i) % 4 == 1 ? 1 + (k % 3) : 0;
            unsigned last = (k + i) % 5 == 2 ? 5 : 7;
            total += (last - first + 1) * 512u;
        }
        if (pread(fd, buf, total, (off_t)off) != (ssize_t)total) { errors++; break; }
        for (unsigned j = 0; j < total; j++) if (buf[j] != pattern(off + j)) { errors++; break; }
    }
    close(fd);
    return errors == 0;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc < 4 || argc > 6 || strcmp(argv[1], "run") != 0) {
        fprintf(stderr, "usage: %s run <shm-file> <ring-page-order> [image-to-verify|-] [timeout_ms]\n", argv[0]);
        return 2;
    }
    const char *path = argv[2];
    max_order = (uint32_t)strtoul(argv[3], NULL, 10);
    if (max_order > INTEROP_MAX_ORDER) die("ring-page-order %u > %u", max_order, INTEROP_MAX_ORDER);
    const char *image = argc >= 5 && strcmp(argv[4], "-") != 0 ? argv[4] : NULL;
    unsigned timeout = argc == 6 ? (unsigned)strtoul(argv[5], NULL, 10) : 20000u;
    deadline = shm_now_ms() + timeout;

    create_file(path);

    /* XenBus: wait for the backend's features (InitWait), set up the ring, Initialised. */
    wait_back_state(SHM_XB_INITWAIT, "InitWait");
    char ikeys[SHM_KEYS_CAPACITY + 1], iv[32];
    shm_keys_snapshot(&shm, SHM_OFF_BACK_KEYS, ikeys);
    /* No max-ring-page-order key: a one-page ring, as blkfront does. */
    uint32_t back_max = shm_keys_get(ikeys, "max-ring-page-order", iv, sizeof iv) ? (uint32_t)strtoul(iv, NULL, 10) : 0u;
    ring_order = max_order < back_max ? max_order : back_max;
    uint8_t *ring = guest() + (size_t)GRANT_PAGES * SHM_PAGE;
    for (uint32_t i = 0; i < (1u << ring_order); i++) {
        grant_access(FIRST_RING_REF + i, GRANT_PAGES + i, 0);
        shm_set32(&shm, SHM_OFF_FRONT_RING_REF + 4 * i, FIRST_RING_REF + i);
    }
    blkif_sring_t *sring = (blkif_sring_t *)ring;
    memset(ring, 0, SHM_PAGE << ring_order);
    SHARED_RING_INIT(sring);
    FRONT_RING_INIT(&fr, sring, SHM_PAGE << ring_order);
    shm_set32(&shm, SHM_OFF_FRONT_RING_ORDER, ring_order);
    shm_set32(&shm, SHM_OFF_FRONT_PORT, 1);
    shm_set_str(&shm, SHM_OFF_FRONT_PROTOCOL, INTEROP_ABI);
    /* The XenStore keys themselves (version 2's key area), then the state. */
    char keys[SHM_KEYS_CAPACITY + 1] = "";
    int bad = 0;
    if (ring_order == 0) bad |= shm_keys_add(keys, sizeof keys, "ring-ref", "%u", FIRST_RING_REF);
    else {
        bad |= shm_keys_add(keys, sizeof keys, "ring-page-order", "%u", ring_order);
        for (uint32_t i = 0; i < (1u << ring_order); i++) {
            char name[24];
            snprintf(name, sizeof name, "ring-ref%u", i);
            bad |= shm_keys_add(keys, sizeof keys, name, "%u", FIRST_RING_REF + i);
        }
    }
    bad |= shm_keys_add(keys, sizeof keys, "event-channel", "%u", 1u);
    bad |= shm_keys_add(keys, sizeof keys, "protocol", "%s", INTEROP_ABI);
    if (bad || shm_keys_write(&shm, SHM_OFF_FRONT_KEYS, keys)) die("frontend keys do not fit the key area");
    shm_set32(&shm, SHM_OFF_FRONT_STATE, SHM_XB_INITIALISED);

    wait_back_state(SHM_XB_CONNECTED, "Connected");
    /* The backend's keys as XenStore has them (version 2's key area); absent reads as the default. */
    char bkeys[SHM_KEYS_CAPACITY + 1], v[64];
    shm_keys_snapshot(&shm, SHM_OFF_BACK_KEYS, bkeys);
    sectors = shm_keys_get(bkeys, "sectors", v, sizeof v) ? strtoull(v, NULL, 10) : 0;
    uint32_t features = (shm_keys_get(bkeys, "feature-flush-cache", v, sizeof v) && strtoul(v, NULL, 10)) ? SHM_FEATURE_FLUSH : 0u;
    uint32_t sector_size = shm_keys_get(bkeys, "sector-size", v, sizeof v) ? (uint32_t)strtoul(v, NULL, 10) : 512u;
    char chosen[SHM_ABI_LEN + 1];
    shm_get_str(&shm, SHM_OFF_BACK_CHOSEN_ABI, chosen);
    shm_set32(&shm, SHM_OFF_FRONT_STATE, SHM_XB_CONNECTED);
    check(sectors >= (uint64_t)REQUESTS * 88u && sector_size == 512, "handshake: backend Connected, %llu sectors of %u bytes, ring order %u (%u entries)",
          (unsigned long long)sectors, sector_size, ring_order, RING_SIZE(&fr));
    check(chosen[0] == '\0' || strcmp(chosen, INTEROP_ABI) == 0, "backend reads the ring as \"%s\" (we announced %s)", chosen, INTEROP_ABI);
    if (sectors < (uint64_t)REQUESTS * 88u) die("disk too small");
    seen_b2f = shm_get32(&shm, SHM_OFF_EVT_B2F);

    for (unsigned k = 0; k < REQUESTS; k++) { submit_rw(BLKIF_OP_WRITE, k); if (k % 3 == 2) push(); }
    drain();
    check(bad_responses == 0 && wrong_status == 0, "%u WRITEs of 11 segments answered OKAY with matching id and operation", REQUESTS);

    if (features & SHM_FEATURE_FLUSH) {
        submit_simple(BLKIF_OP_FLUSH_DISKCACHE, 0, BLKIF_RSP_OKAY, 0);
        drain();
        check(bad_responses == 0 && wrong_status == 0, "FLUSH_DISKCACHE answered OKAY");
    } else {
        check(0, "backend offers no feature-flush-cache");
    }

    unsigned before = wrong_status + bad_responses;
    for (unsigned k = 0; k < REQUESTS; k++) { submit_rw(BLKIF_OP_READ, REQUESTS - 1 - k); if (k % 4 == 3) push(); }
    drain();
    check(wrong_status + bad_responses == before && verify_errors == 0, "%u READs back: every byte matches the pattern (%u mismatches)", REQUESTS, verify_errors);

    before = wrong_status + bad_responses;
    submit_simple(0xff, 0, BLKIF_RSP_EOPNOTSUPP, 0);
    drain();
    check(wrong_status + bad_responses == before, "unknown operation 0xff: EOPNOTSUPP with 0xff echoed");

    before = wrong_status + bad_responses;
    submit_simple(BLKIF_OP_READ, sectors - 4, BLKIF_RSP_ERROR, 1);
    drain();
    check(wrong_status + bad_responses == before, "READ across the end of the disk: ERROR");

    check(fr.req_prod_pvt == fr.rsp_cons && fr.sring->rsp_prod == fr.rsp_cons, "ring drained: %u requests, %u responses", fr.req_prod_pvt, fr.rsp_cons);

    /* Close: Closing, wait for the backend to follow, Closed. */
    shm_set32(&shm, SHM_OFF_FRONT_STATE, SHM_XB_CLOSING);
    unsigned spins = 0;
    uint32_t bs;
    while ((bs = shm_get32(&shm, SHM_OFF_BACK_STATE)) < SHM_XB_CLOSING && shm_now_ms() <= deadline) shm_pause(&spins);
    shm_set32(&shm, SHM_OFF_FRONT_STATE, SHM_XB_CLOSED);
    while ((bs = shm_get32(&shm, SHM_OFF_BACK_STATE)) != SHM_XB_CLOSED && shm_now_ms() <= deadline) shm_pause(&spins);
    check(bs == SHM_XB_CLOSED, "backend followed to Closed (state %u)", bs);

    if (image) check(verify_image(image), "image file %s holds the pattern after close", image);

    shm_unmap(&shm);
    printf("shm_front %s: %u passed, %u failed\n", INTEROP_ABI, passed, failed);
    return failed == 0 ? 0 : 1;
}

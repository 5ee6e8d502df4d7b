/*
 * qemu_hostile.c - a frontend that asks a backend the questions a well-behaved one never does,
 * one request at a time, and records each answer (built from Xen's ring.h, -m64 like QEMU).
 *
 *   qemu_hostile <file> <protocol-key|-> [timeout_ms]
 *
 * Creates the shared-memory file (one-page ring, a few data pages), publishes `protocol` as given
 * ("-": none), connects, then per request: fill one slot, push, notify, wait for the response and
 * check its status against what QEMU's xen_block_parse_request / xen_block_do_aio answer - which
 * is where QEMU and Linux blkback differ (docs/INTEROP.md lists blkback's answer beside each).
 */
#include "../shm/shm.h"

#define GRANT_ENTRIES 512u
#define GRANT_PAGES 1u
#define DATA_PAGES 4u
#define RING_REF 8u
#define DATA_REF 9u      /* writable grant of data page 0 */
#define RO_REF 10u       /* read-only grant of data page 1 */
#define UNGRANTED_REF 300u

static struct shm_map shm;
static blkif_front_ring_t fr;
static unsigned passed, failed;
static uint64_t deadline;
static uint32_t seen_b2f;

static void check(int ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void check(int ok, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("%s hostile frontend: ", ok ? "PASS" : "FAIL");
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
    printf("FAIL hostile frontend: ");
    vprintf(fmt, ap);
    putchar('\n');
    va_end(ap);
    if (shm.base) shm_set32(&shm, SHM_OFF_FRONT_STATE, SHM_XB_CLOSED);
    exit(1);
}

static uint8_t *guest(void) { return shm.base + SHM_HEADER_SIZE; }
static volatile struct shm_grant_v1 *grant(uint32_t ref) { return (volatile struct shm_grant_v1 *)guest() + ref; }
static uint32_t data_frame(unsigned i) { return GRANT_PAGES + 1 + i; }

static void grant_access(uint32_t ref, uint32_t frame, int readonly)
{
    grant(ref)->domid = 0;
    grant(ref)->frame = frame;
    __sync_synchronize();
    grant(ref)->flags = (uint16_t)(GTF_permit_access | (readonly ? GTF_readonly : 0));
}

static void create_file(const char *path)
{
    uint64_t guest_len = (uint64_t)(GRANT_PAGES + 1 + DATA_PAGES) * SHM_PAGE, len = SHM_HEADER_SIZE + guest_len;
    unlink(path);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || ftruncate(fd, (off_t)len) != 0 || shm_map_fd(&shm, fd, (size_t)len) != 0) die("create %s: %s", path, strerror(errno));
    shm_set32(&shm, SHM_OFF_VERSION, SHM_VERSION);
    shm_set32(&shm, SHM_OFF_HEADER_SIZE, SHM_HEADER_SIZE);
    shm_set64(&shm, SHM_OFF_FILE_SIZE, len);
    shm_set32(&shm, SHM_OFF_PAGE_SIZE, SHM_PAGE);
    shm_set_str(&shm, SHM_OFF_ABI, INTEROP_ABI);
    shm_set32(&shm, SHM_OFF_FRONT_DOMID, 1);
    shm_set32(&shm, SHM_OFF_BACK_DOMID, 0);
    shm_set64(&shm, SHM_OFF_GUEST_OFFSET, SHM_HEADER_SIZE);
    shm_set64(&shm, SHM_OFF_GUEST_LENGTH, guest_len);
    shm_set64(&shm, SHM_OFF_GRANT_OFFSET, SHM_HEADER_SIZE);
    shm_set32(&shm, SHM_OFF_GRANT_ENTRIES, GRANT_ENTRIES);
    shm_set64(&shm, SHM_OFF_RING_OFFSET, SHM_HEADER_SIZE + (uint64_t)GRANT_PAGES * SHM_PAGE);
    shm_set32(&shm, SHM_OFF_RING_LENGTH, SHM_PAGE);
    shm_set64(&shm, SHM_OFF_DATA_OFFSET, SHM_HEADER_SIZE + (uint64_t)(GRANT_PAGES + 1) * SHM_PAGE);
    shm_set64(&shm, SHM_OFF_DATA_LENGTH, (uint64_t)DATA_PAGES * SHM_PAGE);
    shm_set32(&shm, SHM_OFF_FRONT_PID, (uint32_t)getpid());
    shm_set32(&shm, SHM_OFF_FRONT_STATE, SHM_XB_INITIALISING);
    __sync_synchronize();
    *(volatile uint64_t *)(shm.base + SHM_OFF_MAGIC) = SHM_MAGIC;
    __sync_synchronize();
}

static void wait_back_state(uint32_t want)
{
    unsigned spins = 0;
    while (shm_get32(&shm, SHM_OFF_BACK_STATE) != want) {
        if (shm_now_ms() > deadline) die("timed out waiting for backend state %u (state %u)", want, shm_get32(&shm, SHM_OFF_BACK_STATE));
        shm_pause(&spins);
    }
}

/* One request on the ring; returns its response (status, operation echoed). */
static blkif_response_t send(const blkif_request_t *req)
{
    blkif_request_t *slot = RING_GET_REQUEST(&fr, fr.req_prod_pvt);
    memcpy(slot, req, sizeof *slot);
    fr.req_prod_pvt++;
    int notify;
    RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&fr, notify);
    if (notify) shm_notify(&shm, SHM_OFF_EVT_F2B);
    for (;;) {
        RING_IDX rp = fr.sring->rsp_prod;
        xen_rmb();
        if (fr.rsp_cons != rp) {
            blkif_response_t r;
            memcpy(&r, RING_GET_RESPONSE(&fr, fr.rsp_cons), sizeof r);
            fr.rsp_cons++;
            int more;
            RING_FINAL_CHECK_FOR_RESPONSES(&fr, more);
            (void)more;
            return r;
        }
        if (!shm_wait_change(&shm, SHM_OFF_EVT_B2F, seen_b2f, deadline)) die("no response to op %u (id %llu)", req->operation, (unsigned long long)req->id);
        seen_b2f = shm_get32(&shm, SHM_OFF_EVT_B2F);
    }
}

static blkif_request_t read_req(uint64_t id, uint64_t sector, uint32_t gref, uint8_t first, uint8_t last)
{
    blkif_request_t r;
    memset(&r, 0, sizeof r);
    r.operation = BLKIF_OP_READ;
    r.nr_segments = 1;
    r.id = id;
    r.sector_number = sector;
    r.seg[0].gref = gref;
    r.seg[0].first_sect = first;
    r.seg[0].last_sect = last;
    return r;
}

static void expect(const char *what, blkif_request_t req, int16_t status, const char *blkback)
{
    blkif_response_t r = send(&req);
    check(r.id == req.id && r.operation == req.operation && r.status == status,
          "%s: status %d (expected %d; Linux blkback: %s), id %s, operation %u", what, r.status, status, blkback,
          r.id == req.id ? "echoed" : "WRONG", r.operation);
}

int main(int argc, char **argv)
{
    if (argc < 3) { fprintf(stderr, "usage: qemu_hostile <file> <protocol|-> [timeout_ms]\n"); return 2; }
    const char *protocol = strcmp(argv[2], "-") == 0 ? NULL : argv[2];
    unsigned timeout = argc > 3 ? (unsigned)strtoul(argv[3], NULL, 10) : 20000u;
    deadline = shm_now_ms() + timeout;
    create_file(argv[1]);
    wait_back_state(SHM_XB_INITWAIT);

    grant_access(RING_REF, GRANT_PAGES, 0);
    grant_access(DATA_REF, data_frame(0), 0);
    grant_access(RO_REF, data_frame(1), 1);
    blkif_sring_t *sring = (blkif_sring_t *)(guest() + (size_t)GRANT_PAGES * SHM_PAGE);
    memset(sring, 0, SHM_PAGE);
    SHARED_RING_INIT(sring);
    FRONT_RING_INIT(&fr, sring, SHM_PAGE);
    char keys[SHM_KEYS_CAPACITY + 1] = "";
    if (shm_keys_add(keys, sizeof keys, "ring-ref", "%u", RING_REF) || shm_keys_add(keys, sizeof keys, "event-channel", "%u", 1u) ||
        (protocol && shm_keys_add(keys, sizeof keys, "protocol", "%s", protocol)) || shm_keys_write(&shm, SHM_OFF_FRONT_KEYS, keys))
        die("keys do not fit");
    shm_set32(&shm, SHM_OFF_FRONT_STATE, SHM_XB_INITIALISED);
    wait_back_state(SHM_XB_CONNECTED);
    check(1, "connected with protocol %s%s", protocol ? protocol : "(none)",
          protocol && strcmp(protocol, XEN_IO_PROTO_ABI_X86_32) && strcmp(protocol, XEN_IO_PROTO_ABI_X86_64)
          ? ": QEMU takes an unknown protocol as its native layout (xen_block_connect); Linux blkback refuses it (connect_ring: unknown fe protocol)" : "");
    shm_set32(&shm, SHM_OFF_FRONT_STATE, SHM_XB_CONNECTED);
    seen_b2f = shm_get32(&shm, SHM_OFF_EVT_B2F);

    char bkeys[SHM_KEYS_CAPACITY + 1], v[32];
    shm_keys_snapshot(&shm, SHM_OFF_BACK_KEYS, bkeys);
    uint64_t sectors = shm_keys_get(bkeys, "sectors", v, sizeof v) ? strtoull(v, NULL, 10) : 0;

    memset(guest() + (size_t)data_frame(0) * SHM_PAGE, 0xCC, SHM_PAGE);
    expect("a READ of one sector (the baseline)", read_req(1, 0, DATA_REF, 0, 0), BLKIF_RSP_OKAY, "OKAY");
    blkif_request_t r = read_req(2, 0, DATA_REF, 0, 0);
    r.nr_segments = 0;
    expect("a READ with no segments", r, BLKIF_RSP_OKAY, "ERROR, Bad number of segments");
    r = read_req(3, 0, DATA_REF, 0, 0);
    r.operation = BLKIF_OP_WRITE_BARRIER;
    expect("WRITE_BARRIER (QEMU has no barrier)", r, BLKIF_RSP_ERROR, "a drained REQ_PREFLUSH write; EOPNOTSUPP without feature-barrier");
    r = read_req(4, 0, DATA_REF, 0, 0);
    r.operation = BLKIF_OP_INDIRECT;
    expect("INDIRECT (QEMU has no indirect)", r, BLKIF_RSP_ERROR, "served");
    r = read_req(5, 0, DATA_REF, 0, 0);
    r.operation = 0xff;
    expect("operation 0xff", r, BLKIF_RSP_ERROR, "EOPNOTSUPP");
    expect("first_sect > last_sect", read_req(6, 0, DATA_REF, 3, 2), BLKIF_RSP_ERROR, "ERROR");
    expect("last_sect 8 (past the page)", read_req(7, 0, DATA_REF, 0, 8), BLKIF_RSP_ERROR, "ERROR");
    r = read_req(8, 0, DATA_REF, 0, 0);
    r.nr_segments = BLKIF_MAX_SEGMENTS_PER_REQUEST + 1;
    expect("12 segments in a direct request", r, BLKIF_RSP_ERROR, "ERROR");
    expect("a READ of the sector past the end", read_req(9, sectors, DATA_REF, 0, 0), BLKIF_RSP_ERROR, "ERROR");
    expect("a READ into a read-only grant (grant copy refuses the write)", read_req(10, 0, RO_REF, 0, 0), BLKIF_RSP_ERROR, "ERROR (the grant map fails)");
    expect("a READ into a ref that was never granted", read_req(11, 0, UNGRANTED_REF, 0, 0), BLKIF_RSP_ERROR, "ERROR");
    r = read_req(12, 0, DATA_REF, 0, 0);
    r.operation = BLKIF_OP_FLUSH_DISKCACHE;
    r.nr_segments = 0;
    expect("FLUSH_DISKCACHE with no segments", r, BLKIF_RSP_OKAY, "OKAY");
    expect("a READ after all that (the ring still works)", read_req(13, 1, DATA_REF, 1, 1), BLKIF_RSP_OKAY, "OKAY");

    shm_set32(&shm, SHM_OFF_FRONT_STATE, SHM_XB_CLOSING);
    unsigned spins = 0;
    while (shm_get32(&shm, SHM_OFF_BACK_STATE) < SHM_XB_CLOSING && shm_now_ms() <= deadline) shm_pause(&spins);
    shm_set32(&shm, SHM_OFF_FRONT_STATE, SHM_XB_CLOSED);
    while (shm_get32(&shm, SHM_OFF_BACK_STATE) != SHM_XB_CLOSED && shm_now_ms() <= deadline) shm_pause(&spins);
    check(shm_get32(&shm, SHM_OFF_BACK_STATE) == SHM_XB_CLOSED, "backend followed to Closed");
    printf("qemu_hostile: %u passed, %u failed\n", passed, failed);
    return failed ? 1 : 0;
}

/*
 * shm_back.c - a blkif backend in another process, built from Xen's ring.h macros.
 *
 * It is a Native backend, as blkback was before the `protocol` key existed: it reads the ring in
 * its own bitness (-m32: x86_32, -m64: x86_64) whatever the frontend's layout is, and says so in
 * the header (back_native_abi). It serves READ, WRITE and FLUSH_DISKCACHE on a raw image file
 * through the frontend's grant table entries in the shared-memory file, answers any other
 * operation with EOPNOTSUPP echoing it (the ABI probe's 0xff), and writes each response field by
 * field into a zeroed slot.
 *
 *   shm_back layout                                print the header offsets (compared with C#)
 *   shm_back serve <file> <image> [timeout_ms]     serve until the frontend closes
 *
 * Output: one summary line; exit 0 when the frontend closed cleanly, 1 on any error or timeout.
 */
#include "shm.h"

#define BACK_DOMID 0

static struct shm_map shm;
static int image_fd = -1;
static uint64_t image_sectors;
static struct {
    unsigned long requests, reads, writes, flushes, unsupported, errors, bytes;
} st;

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stdout, "FAIL shm_back %s: ", INTEROP_ABI);
    vfprintf(stdout, fmt, ap);
    fputc('\n', stdout);
    va_end(ap);
    if (shm.base) shm_set32(&shm, SHM_OFF_BACK_STATE, SHM_XB_CLOSED);
    exit(1);
}

/* One READ or WRITE, from the private copy of the request. Returns a BLKIF_RSP_* status. */
static int16_t do_rw(const blkif_request_t *req)
{
    int write = req->operation == BLKIF_OP_WRITE;
    if (req->nr_segments == 0 || req->nr_segments > BLKIF_MAX_SEGMENTS_PER_REQUEST) return BLKIF_RSP_ERROR;
    uint64_t sector = req->sector_number;
    /* Validate the whole request before touching the disk. */
    uint64_t total = 0;
    for (unsigned i = 0; i < req->nr_segments; i++) {
        const struct blkif_request_segment *s = &req->seg[i];
        if (s->first_sect > s->last_sect || s->last_sect > 7) return BLKIF_RSP_ERROR;
        total += (uint64_t)(s->last_sect - s->first_sect + 1);
    }
    if (sector > image_sectors || total > image_sectors - sector) return BLKIF_RSP_ERROR;
    for (unsigned i = 0; i < req->nr_segments; i++) {
        const struct blkif_request_segment *s = &req->seg[i];
        const char *why = NULL;
        /* A READ writes into the frontend's page, so it needs a writable grant. */
        uint8_t *page = shm_map_grant(&shm, s->gref, BACK_DOMID, !write, &why);
        if (!page) {
            fprintf(stderr, "shm_back: gref %u: %s\n", s->gref, why);
            return BLKIF_RSP_ERROR;
        }
        size_t len = (size_t)(s->last_sect - s->first_sect + 1) * 512u;
        uint8_t *buf = page + (size_t)s->first_sect * 512u;
        off_t off = (off_t)(sector * 512u);
        ssize_t n = write ? pwrite(image_fd, buf, len, off) : pread(image_fd, buf, len, off);
        if (n != (ssize_t)len) return BLKIF_RSP_ERROR;
        st.bytes += len;
        sector += len / 512u;
    }
    if (write) st.writes++; else st.reads++;
    return BLKIF_RSP_OKAY;
}

static int16_t do_request(const blkif_request_t *req)
{
    switch (req->operation) {
    case BLKIF_OP_READ:
    case BLKIF_OP_WRITE:
        return do_rw(req);
    case BLKIF_OP_FLUSH_DISKCACHE:
        st.flushes++;
        return fdatasync(image_fd) == 0 ? BLKIF_RSP_OKAY : BLKIF_RSP_ERROR;
    default:
        st.unsupported++;
        return BLKIF_RSP_EOPNOTSUPP;
    }
}

static int serve(const char *path, const char *image, unsigned timeout_ms)
{
    char err[256];
    if (shm_open_existing(&shm, path, timeout_ms, err, sizeof err) != 0) fail("open %s: %s", path, err);
    image_fd = open(image, O_RDWR);
    if (image_fd < 0) fail("open image %s: %s", image, strerror(errno));
    struct stat ist;
    if (fstat(image_fd, &ist) != 0) fail("stat image: %s", strerror(errno));
    image_sectors = (uint64_t)ist.st_size / 512u;

    /* Our side of the handshake: the features, then InitWait. The frontend's `abi`/`protocol`
     * are ignored on purpose: this is a Native backend. */
    shm_set_str(&shm, SHM_OFF_BACK_NATIVE_ABI, INTEROP_ABI);
    shm_set32(&shm, SHM_OFF_BACK_MAX_RING_ORDER, INTEROP_MAX_ORDER);
    shm_set64(&shm, SHM_OFF_BACK_SECTORS, image_sectors);
    shm_set32(&shm, SHM_OFF_BACK_SECTOR_SIZE, 512);
    shm_set32(&shm, SHM_OFF_BACK_PHYS_SECTOR_SIZE, 512);
    shm_set32(&shm, SHM_OFF_BACK_INFO, 0);
    shm_set32(&shm, SHM_OFF_BACK_FEATURES, SHM_FEATURE_FLUSH);
    shm_set32(&shm, SHM_OFF_BACK_MAX_INDIRECT, 0);
    shm_set32(&shm, SHM_OFF_BACK_PID, (uint32_t)getpid());
    /* The same keys in the key area (version 2), which is what a XenStore reader sees: what is not
     * listed was not written (no feature-barrier, no feature-discard here). */
    char keys[SHM_KEYS_CAPACITY + 1] = "";
    if (shm_keys_add(keys, sizeof keys, "max-ring-page-order", "%u", INTEROP_MAX_ORDER) ||
        shm_keys_add(keys, sizeof keys, "feature-flush-cache", "%u", 1u) ||
        shm_keys_write(&shm, SHM_OFF_BACK_KEYS, keys)) fail("backend keys do not fit the key area");
    shm_set32(&shm, SHM_OFF_BACK_STATE, SHM_XB_INITWAIT);

    uint64_t deadline = shm_now_ms() + timeout_ms;
    unsigned spins = 0;
    for (;;) {
        uint32_t fs = shm_get32(&shm, SHM_OFF_FRONT_STATE);
        if (fs == SHM_XB_INITIALISED || fs == SHM_XB_CONNECTED) break;
        if (fs == SHM_XB_CLOSING || fs == SHM_XB_CLOSED) fail("frontend closed before connecting");
        if (shm_now_ms() > deadline) fail("frontend did not reach Initialised within %u ms (state %u)", timeout_ms, fs);
        shm_pause(&spins);
    }

    /* connect_ring: map the ring-ref grants; this process maps them in place, so they must be
     * consecutive frames for the ring to be one run of memory. */
    uint32_t order = shm_get32(&shm, SHM_OFF_FRONT_RING_ORDER);
    if (order > INTEROP_MAX_ORDER) fail("front ring-page-order %u exceeds max %u", order, INTEROP_MAX_ORDER);
    uint8_t *ring = NULL;
    for (uint32_t i = 0; i < (1u << order); i++) {
        const char *why = NULL;
        uint32_t gref = shm_get32(&shm, SHM_OFF_FRONT_RING_REF + 4 * i);
        uint8_t *page = shm_map_grant(&shm, gref, BACK_DOMID, 1, &why);
        if (!page) fail("mapping ring-ref%u = %u: %s", i, gref, why);
        if (i == 0) ring = page;
        else if (page != ring + (size_t)i * SHM_PAGE) fail("ring-ref%u is not the next frame", i);
    }
    blkif_sring_t *sring = (blkif_sring_t *)ring;
    blkif_back_ring_t br;
    /* Pick up the ring where it is (the frontend initialised it; nothing is on it yet). */
    BACK_RING_ATTACH(&br, sring, sring->rsp_prod, SHM_PAGE << order);

    shm_set_str(&shm, SHM_OFF_BACK_CHOSEN_ABI, INTEROP_ABI);
    if (shm_keys_add(keys, sizeof keys, "sectors", "%llu", (unsigned long long)image_sectors) ||
        shm_keys_add(keys, sizeof keys, "sector-size", "%u", 512u) ||
        shm_keys_add(keys, sizeof keys, "physical-sector-size", "%u", 512u) ||
        shm_keys_add(keys, sizeof keys, "info", "%u", 0u) ||
        shm_keys_write(&shm, SHM_OFF_BACK_KEYS, keys)) fail("backend keys do not fit the key area");
    shm_set32(&shm, SHM_OFF_BACK_STATE, SHM_XB_CONNECTED);

    uint32_t seen = shm_get32(&shm, SHM_OFF_EVT_F2B);
    int closed = 0;
    /* Requests already pushed before we connected are picked up by the first pass. */
    int pending_event = 1;
    while (!closed) {
        if (!pending_event) {
            unsigned idle = 0;
            for (;;) {
                uint32_t now = shm_get32(&shm, SHM_OFF_EVT_F2B);
                if (now != seen) { seen = now; break; }
                uint32_t fs = shm_get32(&shm, SHM_OFF_FRONT_STATE);
                if (fs == SHM_XB_CLOSING || fs == SHM_XB_CLOSED) { closed = 1; break; }
                if (shm_now_ms() > deadline) fail("timed out after %u ms serving (frontend state %u, %lu requests)", timeout_ms, fs, st.requests);
                shm_pause(&idle);
            }
            if (closed) break;
        }
        pending_event = 0;
        int more;
        do {
            RING_IDX rp = br.sring->req_prod;
            xen_rmb(); /* see the requests before reading them */
            if (RING_REQUEST_PROD_OVERFLOW(&br, rp)) fail("req_prod %u is more than %u ahead of rsp_prod_pvt %u: ring halted", rp, RING_SIZE(&br), br.rsp_prod_pvt);
            while (br.req_cons != rp) {
                if (RING_REQUEST_CONS_OVERFLOW(&br, br.req_cons)) break;
                /* Copy once (XSA-155): everything below reads the private copy. */
                union interop_request copy;
                memcpy(&copy, RING_GET_REQUEST(&br, br.req_cons), sizeof copy);
                br.req_cons++;
                st.requests++;
                int16_t status = do_request(&copy.rw);
                if (status == BLKIF_RSP_ERROR) st.errors++;
                /* make_response: zero the slot, then each field (no stale bytes, XSA-216). */
                blkif_response_t *rsp = RING_GET_RESPONSE(&br, br.rsp_prod_pvt);
                memset(rsp, 0, sizeof *rsp);
                rsp->id = copy.rw.id;
                rsp->operation = copy.rw.operation;
                rsp->status = status;
                br.rsp_prod_pvt++;
            }
            int notify;
            RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&br, notify);
            if (notify) shm_notify(&shm, SHM_OFF_EVT_B2F);
            RING_FINAL_CHECK_FOR_REQUESTS(&br, more);
        } while (more);
        shm_set64(&shm, SHM_OFF_BACK_REQUESTS, st.requests);
    }

    /* The frontend is closing: Closing, then Closed once it is. */
    shm_set32(&shm, SHM_OFF_BACK_STATE, SHM_XB_CLOSING);
    spins = 0;
    while (shm_get32(&shm, SHM_OFF_FRONT_STATE) != SHM_XB_CLOSED && shm_now_ms() <= deadline) shm_pause(&spins);
    shm_set32(&shm, SHM_OFF_BACK_STATE, SHM_XB_CLOSED);
    printf("PASS shm_back %s: served %lu requests (%lu read, %lu write, %lu flush, %lu unsupported, %lu error), %lu bytes, ring order %u\n",
           INTEROP_ABI, st.requests, st.reads, st.writes, st.flushes, st.unsupported, st.errors, st.bytes, order);
    close(image_fd);
    shm_unmap(&shm);
    return 0;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc == 2 && strcmp(argv[1], "layout") == 0) {
        shm_print_layout();
        return 0;
    }
    if ((argc == 4 || argc == 5) && strcmp(argv[1], "serve") == 0) {
        unsigned timeout = argc == 5 ? (unsigned)strtoul(argv[4], NULL, 10) : 20000u;
        return serve(argv[2], argv[3], timeout);
    }
    fprintf(stderr, "usage: %s layout | serve <shm-file> <image> [timeout_ms]\n", argv[0]);
    return 2;
}

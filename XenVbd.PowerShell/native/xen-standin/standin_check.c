/*
 * standin_check.c - the Xen stand-in held to Xen's behaviour, without QEMU.
 *
 *   standin_check <file>     creates a shared-memory file as a frontend would, then calls the
 *                            stand-in's libxenstore / libxengnttab / libxenevtchn entry points the
 *                            way a backend does and checks each answer. One PASS/FAIL line per check.
 *
 * Linked against libxen-standin.so itself (tests/interop/qemu/run.sh builds both).
 */
#define _GNU_SOURCE
#include <poll.h>
#include <stdbool.h>
#include <xenstore.h>
#include <xengnttab.h>
#include <xenevtchn.h>
#include <xen/grant_table.h>
#include <xen/io/xs_wire.h>

#include "shm.h"   /* tests/interop/shm/shm.h: the build passes -I to its folder (the module ships a copy beside this file) */

#define GRANT_ENTRIES 512u
#define GRANT_PAGES 1u
#define DATA_PAGES 8u
#define FRONT 1u
#define FRONT_DIR "/local/domain/1/device/vbd/51712"
#define BACK_DIR "/local/domain/0/backend/qdisk/1/51712"

static struct shm_map shm = { NULL, 0, -1 };
static unsigned passed, failed;

static void check(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void check(bool ok, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("%s xen-standin: ", ok ? "PASS" : "FAIL");
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    if (ok) passed++;
    else failed++;
}

static uint8_t *guest(void) { return shm.base + SHM_HEADER_SIZE; }
static volatile struct shm_grant_v1 *grant(uint32_t ref) { return (volatile struct shm_grant_v1 *)guest() + ref; }
static uint8_t *frame_page(uint32_t frame) { return guest() + (size_t)frame * SHM_PAGE; }

static void grant_access(uint32_t ref, uint16_t domid, uint32_t frame, uint16_t flags)
{
    grant(ref)->domid = domid;
    grant(ref)->frame = frame;
    __sync_synchronize();
    grant(ref)->flags = flags;
}

static void create_file(const char *path)
{
    uint64_t guest_len = (uint64_t)(GRANT_PAGES + 1 + DATA_PAGES) * SHM_PAGE, len = SHM_HEADER_SIZE + guest_len;
    unlink(path);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || ftruncate(fd, (off_t)len) != 0 || shm_map_fd(&shm, fd, (size_t)len) != 0) { perror(path); exit(1); }
    shm_set32(&shm, SHM_OFF_VERSION, SHM_VERSION);
    shm_set32(&shm, SHM_OFF_HEADER_SIZE, SHM_HEADER_SIZE);
    shm_set64(&shm, SHM_OFF_FILE_SIZE, len);
    shm_set32(&shm, SHM_OFF_PAGE_SIZE, SHM_PAGE);
    shm_set_str(&shm, SHM_OFF_ABI, INTEROP_ABI);
    shm_set32(&shm, SHM_OFF_FRONT_DOMID, FRONT);
    shm_set32(&shm, SHM_OFF_BACK_DOMID, 0);
    shm_set64(&shm, SHM_OFF_GUEST_OFFSET, SHM_HEADER_SIZE);
    shm_set64(&shm, SHM_OFF_GUEST_LENGTH, guest_len);
    shm_set64(&shm, SHM_OFF_GRANT_OFFSET, SHM_HEADER_SIZE);
    shm_set32(&shm, SHM_OFF_GRANT_ENTRIES, GRANT_ENTRIES);
    shm_set64(&shm, SHM_OFF_RING_OFFSET, SHM_HEADER_SIZE + (uint64_t)GRANT_PAGES * SHM_PAGE);
    shm_set32(&shm, SHM_OFF_RING_LENGTH, SHM_PAGE);
    shm_set64(&shm, SHM_OFF_DATA_OFFSET, SHM_HEADER_SIZE + (uint64_t)(GRANT_PAGES + 1) * SHM_PAGE);
    shm_set64(&shm, SHM_OFF_DATA_LENGTH, (uint64_t)DATA_PAGES * SHM_PAGE);
    __sync_synchronize();
    *(volatile uint64_t *)(shm.base + SHM_OFF_MAGIC) = SHM_MAGIC;
    __sync_synchronize();
}

static bool readable(int fd, int ms)
{
    struct pollfd p = { fd, POLLIN, 0 };
    return poll(&p, 1, ms) == 1 && (p.revents & POLLIN);
}

static char *read_str(struct xs_handle *h, const char *path)
{
    unsigned len = 0;
    return xs_read(h, XBT_NULL, path, &len);
}

/* Waits up to 2 s for the stand-in's pump to mirror something. */
static bool eventually_equal(struct xs_handle *h, const char *path, const char *want)
{
    for (int i = 0; i < 2000; i++) {
        char *v = read_str(h, path);
        bool ok = v && strcmp(v, want) == 0;
        free(v);
        if (ok) return true;
        usleep(1000);
    }
    return false;
}

/* Pops one watch event; true if it has this path and token. */
static bool next_event(struct xs_handle *h, const char *path, const char *token)
{
    char **ev = xs_check_watch(h);
    if (!ev) return false;
    bool ok = strcmp(ev[XS_WATCH_PATH], path) == 0 && strcmp(ev[XS_WATCH_TOKEN], token) == 0;
    if (!ok) printf("  (event %s / %s)\n", ev[XS_WATCH_PATH], ev[XS_WATCH_TOKEN]);
    free(ev); /* one block */
    return ok;
}

static void drain(struct xs_handle *h)
{
    char **ev;
    while ((ev = xs_check_watch(h))) free(ev);
}

static void check_xenstore(void)
{
    struct xs_handle *h = xs_open(0);
    check(h != NULL, "xs_open");
    char *v = read_str(h, FRONT_DIR "/state");
    check(v && strcmp(v, "1") == 0, "the toolstack created the frontend area with state=1 before the backend looked (%s)", v ? v : "absent");
    free(v);
    v = read_str(h, FRONT_DIR "/backend");
    check(v && strcmp(v, BACK_DIR) == 0, "frontend/backend names the backend directory (%s)", v ? v : "absent");
    free(v);
    errno = 0;
    v = read_str(h, "/nowhere");
    check(v == NULL && errno == ENOENT, "xs_read of an absent node: NULL, ENOENT");

    int fd = xs_fileno(h);
    check(!readable(fd, 0), "xs_fileno not readable with no event queued");
    check(xs_watch(h, "/t", "tok"), "xs_watch /t");
    check(readable(fd, 0) && next_event(h, "/t", "tok"), "a new watch fires once, at once, with its own path");
    check(!readable(fd, 0) && xs_check_watch(h) == NULL && errno == EAGAIN, "then nothing is queued: fd not readable, xs_check_watch NULL/EAGAIN");
    check(xs_write(h, XBT_NULL, "/t/a/b", "x", 1) && next_event(h, "/t/a/b", "tok"), "a write below the watched path fires it with the written path");
    drain(h);
    check(xs_write(h, XBT_NULL, "/other", "y", 1) && !readable(fd, 0), "a write elsewhere does not");
    check(xs_watch(h, "/t/a/b/c", "deep") && next_event(h, "/t/a/b/c", "deep"), "a watch on a node that does not exist yet fires once too");
    check(xs_rm(h, XBT_NULL, "/t/a"), "xs_rm /t/a");
    bool up = false, down = false;
    char **ev;
    while ((ev = xs_check_watch(h))) {
        if (!strcmp(ev[XS_WATCH_PATH], "/t/a") && !strcmp(ev[XS_WATCH_TOKEN], "tok")) up = true;
        if (!strcmp(ev[XS_WATCH_PATH], "/t/a/b/c") && !strcmp(ev[XS_WATCH_TOKEN], "deep")) down = true;
        free(ev);
    }
    check(up && down, "removing an ancestor fires the watch above it (removed path) and the watch below it (its own path)");
    xs_write(h, XBT_NULL, "/d/x", "1", 1);
    xs_write(h, XBT_NULL, "/d/y", "22", 2);
    xs_write(h, XBT_NULL, "/d/y/z", "3", 1);
    unsigned n = 0;
    char **names = xs_directory(h, XBT_NULL, "/d", &n);
    check(names && n == 2 && ((!strcmp(names[0], "x") && !strcmp(names[1], "y")) || (!strcmp(names[0], "y") && !strcmp(names[1], "x"))),
          "xs_directory lists the immediate children (%u) in one malloc'd block", n);
    free(names);
    check(xs_unwatch(h, "/t", "tok") && !xs_unwatch(h, "/t", "tok"), "xs_unwatch removes a watch once");
    drain(h);

    /* The file <-> XenStore bridge. */
    check(xs_watch(h, FRONT_DIR "/state", "fe"), "watch the frontend's state");
    drain(h);
    shm_keys_write(&shm, SHM_OFF_FRONT_KEYS, "ring-ref=9\nevent-channel=7\nprotocol=" INTEROP_ABI "\n");
    shm_set32(&shm, SHM_OFF_FRONT_STATE, SHM_XB_INITIALISED);
    check(eventually_equal(h, FRONT_DIR "/state", "3") && eventually_equal(h, FRONT_DIR "/ring-ref", "9"), "the frontend's key area and state reach its directory");
    check(readable(fd, 1000) && next_event(h, FRONT_DIR "/state", "fe"), "and fire the watch on its state");
    shm_keys_write(&shm, SHM_OFF_FRONT_KEYS, "ring-ref=9\nevent-channel=7\n");
    bool gone = false;
    for (int i = 0; i < 2000 && !gone; i++) {
        char *p = read_str(h, FRONT_DIR "/protocol");
        gone = p == NULL;
        free(p);
        if (!gone) usleep(1000);
    }
    check(gone, "a key the frontend no longer lists is removed from its directory (absent, not empty)");
    xs_write(h, XBT_NULL, BACK_DIR "/sectors", "100", 3);
    xs_write(h, XBT_NULL, BACK_DIR "/feature-flush-cache", "1", 1);
    xs_write(h, XBT_NULL, BACK_DIR "/state", "2", 1);
    char text[SHM_KEYS_CAPACITY + 1], val[32];
    shm_keys_snapshot(&shm, SHM_OFF_BACK_KEYS, text);
    check(shm_keys_get(text, "sectors", val, sizeof val) && !strcmp(val, "100") && !shm_keys_get(text, "feature-barrier", val, sizeof val)
          && !shm_keys_get(text, "state", val, sizeof val), "the backend's keys reach its key area as written (no feature-barrier, state in its own field)");
    check(shm_get32(&shm, SHM_OFF_BACK_STATE) == SHM_XB_INITWAIT && shm_get64(&shm, SHM_OFF_BACK_SECTORS) == 100, "back_state 2 and the fixed back_sectors follow");
    xs_close(h);
}

static void check_grants(void)
{
    /* Frames: 0 grant table, 1 ring, 2.. data. */
    grant_access(10, 0, 2, GTF_permit_access);
    grant_access(11, 0, 3, GTF_permit_access | GTF_readonly);
    grant_access(12, 5, 4, GTF_permit_access);
    grant_access(13, 0, 5, 0);
    grant_access(14, 0, 4000, GTF_permit_access);
    memset(frame_page(3), 0x33, SHM_PAGE);
    xengnttab_handle *g = xengnttab_open(NULL, 0);
    check(g != NULL, "xengnttab_open");
    uint32_t ref = 10;
    uint8_t *p = xengnttab_map_domain_grant_refs(g, 1, FRONT, &ref, PROT_READ | PROT_WRITE);
    check(p != NULL, "map a writable grant read-write");
    if (p) {
        p[5] = 0xAB;
        check(frame_page(2)[5] == 0xAB, "the mapping is the guest's page itself (MAP_SHARED view)");
        check((grant(10)->flags & (GTF_reading | GTF_writing)) == (GTF_reading | GTF_writing), "GTF_reading|GTF_writing set while mapped");
        check(xengnttab_unmap(g, p, 1) == 0 && (grant(10)->flags & (GTF_reading | GTF_writing)) == 0, "and cleared by the unmap");
    }
    ref = 11;
    check(xengnttab_map_domain_grant_refs(g, 1, FRONT, &ref, PROT_READ | PROT_WRITE) == NULL, "a read-only grant is refused for a writable map");
    p = xengnttab_map_domain_grant_refs(g, 1, FRONT, &ref, PROT_READ);
    check(p && p[0] == 0x33 && (grant(11)->flags & (GTF_reading | GTF_writing)) == GTF_reading, "but mapped read-only (GTF_reading only)");
    if (p) xengnttab_unmap(g, p, 1);
    ref = 12;
    check(xengnttab_map_domain_grant_refs(g, 1, FRONT, &ref, PROT_READ) == NULL, "a grant to another domain is refused");
    ref = 13;
    check(xengnttab_map_domain_grant_refs(g, 1, FRONT, &ref, PROT_READ) == NULL, "an entry without GTF_permit_access is refused");
    ref = 14;
    check(xengnttab_map_domain_grant_refs(g, 1, FRONT, &ref, PROT_READ) == NULL && (grant(14)->flags & GTF_reading) == 0, "a frame outside guest memory is refused, no busy bit left");
    ref = GRANT_ENTRIES;
    check(xengnttab_map_domain_grant_refs(g, 1, FRONT, &ref, PROT_READ) == NULL, "a ref past the table is refused");
    ref = 10;
    check(xengnttab_map_domain_grant_refs(g, 1, 2, &ref, PROT_READ) == NULL, "a map from a domain that is not the frontend is refused");
    uint32_t two[2] = { 10, 12 };
    check(xengnttab_map_domain_grant_refs(g, 2, FRONT, two, PROT_READ) == NULL && (grant(10)->flags & GTF_reading) == 0, "a map with one bad grant maps nothing and leaves no pin");

    check(xengnttab_grant_copy(g, 0, NULL) == 0, "grant_copy of 0 segments succeeds (QEMU's probe for the copy path)");
    uint8_t buf[4096];
    memset(buf, 0x77, sizeof buf);
    xengnttab_grant_copy_segment_t s[7];
    memset(s, 0, sizeof s);
    for (int i = 0; i < 7; i++) { s[i].flags = GNTCOPY_dest_gref; s[i].source.virt = buf; s[i].dest.foreign.domid = FRONT; s[i].len = 512; }
    s[0].dest.foreign.ref = 10; s[0].dest.foreign.offset = 512;
    s[1].dest.foreign.ref = 11;
    s[2].dest.foreign.ref = 12;
    s[3].dest.foreign.ref = 10; s[3].dest.foreign.offset = 3800;
    s[4].dest.foreign.ref = GRANT_ENTRIES + 3;
    s[5].dest.foreign.ref = 10; s[5].dest.foreign.domid = 9;
    s[6].dest.foreign.ref = 14;
    int rc = xengnttab_grant_copy(g, 7, s);
    check(rc == 0 && s[0].status == GNTST_okay && frame_page(2)[512] == 0x77 && frame_page(2)[1023] == 0x77 && frame_page(2)[1024] != 0x77, "copy to a writable grant lands at its offset");
    check(s[1].status == GNTST_general_error, "copy into a read-only grant: GNTST_general_error (%d)", s[1].status);
    check(s[2].status == GNTST_general_error, "copy into another domain's grant: GNTST_general_error (%d)", s[2].status);
    check(s[3].status == GNTST_bad_copy_arg, "offset + length past the page: GNTST_bad_copy_arg (%d)", s[3].status);
    check(s[4].status == GNTST_bad_gntref, "ref past the table: GNTST_bad_gntref (%d)", s[4].status);
    check(s[5].status == GNTST_bad_domain, "a domain that is not the frontend: GNTST_bad_domain (%d)", s[5].status);
    check(s[6].status == GNTST_bad_page, "a frame outside guest memory: GNTST_bad_page (%d)", s[6].status);
    check((grant(10)->flags & (GTF_reading | GTF_writing)) == 0, "no busy bits left after the copies");
    xengnttab_close(g);
}

static void check_events(void)
{
    xenevtchn_handle *e = xenevtchn_open(NULL, 0);
    check(e != NULL, "xenevtchn_open");
    check(xenevtchn_bind_interdomain(e, FRONT, 8) < 0, "binding a port the frontend did not offer is refused");
    xenevtchn_port_or_error_t port = xenevtchn_bind_interdomain(e, FRONT, 7);
    check(port > 0, "bind_interdomain to the frontend's event-channel port");
    int fd = xenevtchn_fd(e);
    check(!readable(fd, 0), "no event yet");
    shm_notify(&shm, SHM_OFF_EVT_F2B);
    check(readable(fd, 2000) && xenevtchn_pending(e) == port, "the frontend's notify arrives: fd readable, pending names the port");
    shm_notify(&shm, SHM_OFF_EVT_F2B);
    check(!readable(fd, 100), "while the port is masked a second event is not delivered");
    check(xenevtchn_unmask(e, (evtchn_port_t)port) == 0 && readable(fd, 0) && xenevtchn_pending(e) == port, "it stayed pending and arrives on unmask");
    xenevtchn_unmask(e, (evtchn_port_t)port);
    check(!readable(fd, 50), "and only once");
    uint32_t before = shm_get32(&shm, SHM_OFF_EVT_B2F);
    check(xenevtchn_notify(e, (evtchn_port_t)port) == 0 && shm_get32(&shm, SHM_OFF_EVT_B2F) == before + 1, "xenevtchn_notify bumps the file's back-to-front counter");
    check(xenevtchn_notify(e, (evtchn_port_t)port + 1) < 0, "notify on a port that is not bound fails");
    check(xenevtchn_unbind(e, (evtchn_port_t)port) == 0 && xenevtchn_notify(e, (evtchn_port_t)port) < 0, "after unbind the port is gone");
    xenevtchn_close(e);
}

int main(int argc, char **argv)
{
    if (argc != 2) { fprintf(stderr, "usage: standin_check <file>\n"); return 2; }
    create_file(argv[1]);
    setenv("XENVBD_SHM", argv[1], 1);
    check_xenstore();
    check_grants();
    check_events();
    printf("standin_check: %u passed, %u failed\n", passed, failed);
    return failed ? 1 : 0;
}

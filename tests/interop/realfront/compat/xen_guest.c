/*
 * xen_guest.c - the hypervisor, xenstored and toolstack for one guest whose memory is the
 * shared-memory file (docs/shared-memory.md; every header offset comes from ../../shm/shm.h).
 *
 * What each piece does, and the Xen behaviour it keeps:
 *  - guest memory: the file's guest region; guest-physical address = offset in that region.
 *  - heap: U-Boot's malloc arena, over the data pages (first fit; a free of a pointer that is not
 *    an allocated block is counted and reported, where dlmalloc would corrupt its arena).
 *  - grant table: v1 entries in the file at frame 0; the backend (another process) sets
 *    GTF_reading/GTF_writing while it has a page mapped, as Xen does.
 *  - event channels: EVTCHNOP_alloc_unbound takes the lowest free port (ports 0 and 1 are taken:
 *    0 is never valid, 1 is the XenStore channel a domain builder sets up); EVTCHNOP_send on the
 *    bound port is one increment of the file's front-to-back counter; a port that is not bound is
 *    -EINVAL, as evtchn_send answers.
 *  - XenStore: one tree in this process. The frontend's directory is exported into the file's
 *    frontend key area (header version 2) and fixed fields, `state` last, so the backend sees a
 *    transaction's keys together with its state; the backend's directory is read from the file's
 *    backend key area exactly as the backend wrote it (absent stays absent) and its state field.
 *    Keys the toolstack wrote (mode, frontend...) live in this tree, as libxl writes them into the
 *    one XenStore both domains share.
 *  - toolstack: writes both areas before the guest runs and waits for the backend's InitWait, as
 *    libxl does; on a panic it marks the frontend Closed (the domain is gone).
 */
#include "../../shm/shm.h"
#include "realfront.h"

#include <xen/event_channel.h>

struct rf_stats rf_stats;

static struct shm_map shm = { NULL, 0, -1 };
static uint64_t guest_off, guest_len, data_off, data_len;
static uint64_t start_ms;

uint64_t rf_now_ms(void) { return shm_now_ms() - start_ms; }

void rf_cpu_relax(void)
{
    static unsigned calls;
    if (++calls % 64) { sched_yield(); return; }
    struct timespec ts = { 0, 20000 };
    nanosleep(&ts, NULL);
}

static void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void fatal(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("FAIL realfront compat: ");
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    fflush(stdout);
    rf_toolstack_destroy_domain();
    exit(1);
}

/* ------------------------------------------------------------------ guest memory */

#define GRANT_ENTRIES 4096u
#define GRANT_PAGES (GRANT_ENTRIES * 8u / SHM_PAGE)
#define RING_PAGES 1u /* reserved ring area (order 0); U-Boot allocates its ring from the heap */

void rf_guest_create(const char *path, unsigned data_pages)
{
    start_ms = shm_now_ms();
    guest_len = (uint64_t)(GRANT_PAGES + RING_PAGES + data_pages) * SHM_PAGE;
    uint64_t len = SHM_HEADER_SIZE + guest_len;
    unlink(path);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) fatal("create %s: %s", path, strerror(errno));
    if (ftruncate(fd, (off_t)len) != 0) fatal("ftruncate %s: %s", path, strerror(errno));
    if (shm_map_fd(&shm, fd, (size_t)len) != 0) fatal("mmap %s: %s", path, strerror(errno));
    guest_off = SHM_HEADER_SIZE;
    data_off = SHM_HEADER_SIZE + (uint64_t)(GRANT_PAGES + RING_PAGES) * SHM_PAGE;
    data_len = (uint64_t)data_pages * SHM_PAGE;
    shm_set32(&shm, SHM_OFF_VERSION, SHM_VERSION);
    shm_set32(&shm, SHM_OFF_HEADER_SIZE, SHM_HEADER_SIZE);
    shm_set64(&shm, SHM_OFF_FILE_SIZE, len);
    shm_set32(&shm, SHM_OFF_PAGE_SIZE, SHM_PAGE);
    shm_set32(&shm, SHM_OFF_MAX_RING_ORDER, 0);
    shm_set_str(&shm, SHM_OFF_ABI, INTEROP_ABI);
    shm_set32(&shm, SHM_OFF_FRONT_DOMID, RF_FRONT_DOMID);
    shm_set32(&shm, SHM_OFF_BACK_DOMID, RF_BACK_DOMID);
    shm_set64(&shm, SHM_OFF_GUEST_OFFSET, guest_off);
    shm_set64(&shm, SHM_OFF_GUEST_LENGTH, guest_len);
    shm_set64(&shm, SHM_OFF_GRANT_OFFSET, guest_off);
    shm_set32(&shm, SHM_OFF_GRANT_ENTRIES, GRANT_ENTRIES);
    shm_set64(&shm, SHM_OFF_RING_OFFSET, guest_off + (uint64_t)GRANT_PAGES * SHM_PAGE);
    shm_set32(&shm, SHM_OFF_RING_LENGTH, SHM_PAGE * RING_PAGES);
    shm_set64(&shm, SHM_OFF_DATA_OFFSET, data_off);
    shm_set64(&shm, SHM_OFF_DATA_LENGTH, data_len);
    shm_set32(&shm, SHM_OFF_FRONT_PID, (uint32_t)getpid());
    shm_set32(&shm, SHM_OFF_FRONT_STATE, SHM_XB_INITIALISING);
    __sync_synchronize();
    *(volatile uint64_t *)(shm.base + SHM_OFF_MAGIC) = SHM_MAGIC; /* last: the file is ready */
    __sync_synchronize();
}

uint8_t *rf_guest_base(void) { return shm.base + guest_off; }
size_t rf_guest_length(void) { return (size_t)guest_len; }

int rf_in_guest(const void *p, size_t n)
{
    uintptr_t a = (uintptr_t)p, b = (uintptr_t)rf_guest_base();
    return a >= b && n <= guest_len && a - b <= guest_len - n;
}

unsigned long guest_virt_to_phys(const void *va)
{
    if (!rf_in_guest(va, 1)) fatal("virt_to_phys(%p): not guest memory - the frontend granted a host address", va);
    return (unsigned long)((const uint8_t *)va - rf_guest_base());
}

void *guest_phys_to_virt(unsigned long pa)
{
    if (pa >= guest_len) fatal("phys_to_virt(%#lx): outside the guest's %llu bytes", pa, (unsigned long long)guest_len);
    return rf_guest_base() + pa;
}

/* ------------------------------------------------------------------ heap */

#define MAX_BLOCKS 4096u
struct block { uintptr_t start, end, user; };
static struct block blocks[MAX_BLOCKS]; /* sorted by start */
static unsigned nblocks, bad_frees;
static size_t in_use;

void *guest_memalign(size_t alignment, size_t size)
{
    if (alignment < 16) alignment = 16;
    if (alignment & (alignment - 1)) fatal("memalign(%zu): alignment is not a power of two", alignment);
    if (size == 0) size = 1;
    uintptr_t lo = (uintptr_t)(shm.base + data_off), hi = lo + (uintptr_t)data_len;
    uintptr_t cursor = lo;
    for (unsigned i = 0; i <= nblocks; i++) {
        uintptr_t gap_end = i < nblocks ? blocks[i].start : hi;
        uintptr_t user = (cursor + alignment - 1) & ~(uintptr_t)(alignment - 1);
        if (user >= cursor && user <= gap_end && gap_end - user >= size) {
            if (nblocks == MAX_BLOCKS) return NULL;
            memmove(&blocks[i + 1], &blocks[i], (nblocks - i) * sizeof blocks[0]);
            blocks[i].start = user;
            blocks[i].end = user + size;
            blocks[i].user = user;
            nblocks++;
            in_use += size;
            return (void *)user;
        }
        if (i < nblocks) cursor = blocks[i].end;
    }
    return NULL; /* out of guest memory */
}

void *guest_malloc(size_t size) { return guest_memalign(16, size); }

void *guest_calloc(size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size) return NULL;
    void *p = guest_malloc(n * size);
    if (p) memset(p, 0, n * size);
    return p;
}

void guest_free(void *p)
{
    if (!p) return;
    for (unsigned i = 0; i < nblocks; i++) {
        if (blocks[i].user == (uintptr_t)p) {
            in_use -= blocks[i].end - blocks[i].start;
            memmove(&blocks[i], &blocks[i + 1], (nblocks - i - 1) * sizeof blocks[0]);
            nblocks--;
            return;
        }
    }
    bad_frees++;
    printf("realfront heap: free(%p): not an allocated block (freed twice?)\n", p);
}

char *guest_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = guest_malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

size_t rf_heap_in_use(void) { return in_use; }
unsigned rf_heap_bad_frees(void) { return bad_frees; }

/* ------------------------------------------------------------------ grant table */

uint32_t rf_grant_entries(void) { return shm_get32(&shm, SHM_OFF_GRANT_ENTRIES); }

static volatile struct shm_grant_v1 *grant_entry(uint32_t ref)
{
    if (ref >= rf_grant_entries()) fatal("grant ref %u is past the table's %u entries", ref, rf_grant_entries());
    return (volatile struct shm_grant_v1 *)(shm.base + shm_get64(&shm, SHM_OFF_GRANT_OFFSET)) + ref;
}

volatile uint16_t *rf_grant_flags(uint32_t ref) { return &grant_entry(ref)->flags; }

void rf_grant_fill(uint32_t ref, uint16_t domid, uint32_t frame)
{
    if ((uint64_t)frame >= guest_len / SHM_PAGE) fatal("grant of frame %u: outside guest memory", frame);
    grant_entry(ref)->frame = frame;
    grant_entry(ref)->domid = domid;
}

/* ------------------------------------------------------------------ event channels */

#define MAX_PORTS 64u
static uint16_t port_remote[MAX_PORTS];
static uint8_t port_bound[MAX_PORTS];
static uint32_t block_port, seen_b2f;

int rf_evtchn_alloc_unbound(uint16_t remote, uint32_t *port)
{
    for (uint32_t p = 2; p < MAX_PORTS; p++) {
        if (port_bound[p]) continue;
        port_bound[p] = 1;
        port_remote[p] = remote;
        /* The file has one channel: the first one to dom0 is it. */
        if (remote == RF_BACK_DOMID && block_port == 0) {
            block_port = p;
            seen_b2f = shm_get32(&shm, SHM_OFF_EVT_B2F);
        }
        *port = p;
        return 0;
    }
    return -ENOSPC;
}

int rf_evtchn_send(uint32_t port)
{
    if (port >= MAX_PORTS || !port_bound[port]) return -EINVAL;
    if (port == block_port) {
        shm_notify(&shm, SHM_OFF_EVT_F2B);
        rf_stats.notifies++;
    }
    return 0;
}

int rf_evtchn_close(uint32_t port)
{
    if (port >= MAX_PORTS || !port_bound[port]) return -EINVAL;
    port_bound[port] = 0;
    if (port == block_port) block_port = 0;
    return 0;
}

uint32_t rf_evtchn_take_events(void)
{
    if (!block_port) return 0;
    uint32_t now = shm_get32(&shm, SHM_OFF_EVT_B2F), n = now - seen_b2f;
    seen_b2f = now;
    rf_stats.events += n;
    return n;
}

int HYPERVISOR_event_channel_op(int cmd, void *arg);
int HYPERVISOR_event_channel_op(int cmd, void *arg)
{
    switch (cmd) {
    case EVTCHNOP_alloc_unbound: {
        struct evtchn_alloc_unbound *op = arg;
        if (op->dom != DOMID_SELF && op->dom != RF_FRONT_DOMID) return -EPERM;
        uint32_t port;
        int rc = rf_evtchn_alloc_unbound(op->remote_dom, &port);
        if (rc == 0) op->port = port;
        return rc;
    }
    case EVTCHNOP_send: return rf_evtchn_send(((struct evtchn_send *)arg)->port);
    case EVTCHNOP_close: return rf_evtchn_close(((struct evtchn_close *)arg)->port);
    default: return -ENOSYS;
    }
}

/* ------------------------------------------------------------------ XenStore */

struct node { char *path, *value; unsigned gen; };
#define MAX_NODES 256u
static struct node nodes[MAX_NODES];
static unsigned nnodes, generation;
static char front_dir[64], back_dir[64];

static struct node *find_node(const char *path)
{
    for (unsigned i = 0; i < nnodes; i++) if (strcmp(nodes[i].path, path) == 0) return &nodes[i];
    return NULL;
}

static void note(char *list, size_t cap, const char *what)
{
    size_t n = strlen(what), have = strlen(list);
    for (const char *p = list; (p = strstr(p, what)) != NULL; p += n)
        if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0')) return;
    if (have + n + 2 >= cap) return;
    if (have) list[have++] = ' ';
    memcpy(list + have, what, n + 1);
}

/* The backend's keys as the file carries them: its key area, exactly (a key not listed was not
 * written), and its state from the fixed field. Before the backend attached, its directory holds
 * only what the toolstack wrote. NULL when the key is absent. */
static const char *backend_key(const char *key, char *buf, size_t cap)
{
    static char text[SHM_KEYS_CAPACITY + 1];
    uint32_t state = shm_get32(&shm, SHM_OFF_BACK_STATE);
    if (strcmp(key, "state") == 0) {
        if (state == 0) return NULL; /* not attached yet: the toolstack's value stands */
        snprintf(buf, cap, "%u", state);
        return buf;
    }
    shm_keys_snapshot(&shm, SHM_OFF_BACK_KEYS, text);
    return shm_keys_get(text, key, buf, cap) ? buf : NULL;
}

/* A transaction: its writes (value NULL = rm) and what it read, to detect a conflict at commit. */
struct txn_op { char *path, *value; };
struct txn_read { char *path, *value; };
#define MAX_TXN_OPS 32u
static struct {
    uint32_t id;
    unsigned nops, nreads, gen;
    struct txn_op ops[MAX_TXN_OPS];
    struct txn_read reads[MAX_TXN_OPS];
} txn;
static uint32_t next_txn = 1;

static int raw_read(const char *path, char *buf, size_t cap, const char **out)
{
    size_t bl = strlen(back_dir);
    if (strncmp(path, back_dir, bl) == 0 && path[bl] == '/') {
        const char *v = backend_key(path + bl + 1, buf, cap);
        if (v) { *out = v; return 0; }
    }
    struct node *n = find_node(path);
    if (!n) return ENOENT;
    *out = n->value;
    return 0;
}

int rf_xs_read(uint32_t t, const char *path, char **value)
{
    char buf[256];
    const char *v = NULL;
    note(rf_stats.keys_read, sizeof rf_stats.keys_read, path);
    if (t && t == txn.id) {
        for (unsigned i = txn.nops; i-- > 0;) {
            if (strcmp(txn.ops[i].path, path) == 0) {
                if (!txn.ops[i].value) return ENOENT;
                *value = strdup(txn.ops[i].value);
                return 0;
            }
        }
    } else if (t) {
        return ESRCH;
    }
    int err = raw_read(path, buf, sizeof buf, &v);
    if (t && txn.nreads < MAX_TXN_OPS) {
        txn.reads[txn.nreads].path = strdup(path);
        txn.reads[txn.nreads].value = err ? NULL : strdup(v);
        txn.nreads++;
    }
    if (err) return err;
    *value = strdup(v);
    return 0;
}

/* The frontend's directory into the file: every key but the ones each process's own XenStore
 * holds (state, backend, backend-id) into the key area, the fixed fields as a numeric summary,
 * then the state - so a backend that sees the new state also sees the keys written before it. */
static void export_frontend(void)
{
    char p[128], keys[SHM_KEYS_CAPACITY + 1] = "";
    size_t fl = strlen(front_dir);
    struct node *n;
    for (unsigned i = 0; i < nnodes; i++) {
        const char *path = nodes[i].path;
        if (strncmp(path, front_dir, fl) != 0 || path[fl] != '/') continue;
        const char *key = path + fl + 1;
        if (strcmp(key, "state") == 0 || strcmp(key, "backend") == 0 || strcmp(key, "backend-id") == 0) continue;
        if (shm_keys_add(keys, sizeof keys, key, "%s", nodes[i].value) != 0) fatal("the frontend's keys do not fit the file's %u-byte key area", SHM_KEYS_CAPACITY);
    }
    if (shm_keys_write(&shm, SHM_OFF_FRONT_KEYS, keys) != 0) fatal("the frontend's keys do not fit the file's key area");
    snprintf(p, sizeof p, "%s/ring-page-order", front_dir);
    uint32_t order = (n = find_node(p)) ? (uint32_t)strtoul(n->value, NULL, 10) : 0;
    if (order > 4) order = 4;
    shm_set32(&shm, SHM_OFF_FRONT_RING_ORDER, order);
    for (uint32_t i = 0; i < SHM_MAX_RING_REFS; i++) {
        if (order == 0 && i == 0) snprintf(p, sizeof p, "%s/ring-ref", front_dir);
        else snprintf(p, sizeof p, "%s/ring-ref%u", front_dir, i);
        n = find_node(p);
        shm_set32(&shm, SHM_OFF_FRONT_RING_REF + 4 * i, n ? (uint32_t)strtoul(n->value, NULL, 10) : 0);
    }
    snprintf(p, sizeof p, "%s/event-channel", front_dir);
    n = find_node(p);
    shm_set32(&shm, SHM_OFF_FRONT_PORT, n ? (uint32_t)strtoul(n->value, NULL, 10) : 0);
    snprintf(p, sizeof p, "%s/protocol", front_dir);
    n = find_node(p);
    shm_set_str(&shm, SHM_OFF_FRONT_PROTOCOL, n ? n->value : ""); /* all zero = no key */
    snprintf(p, sizeof p, "%s/state", front_dir);
    n = find_node(p);
    uint32_t state = n ? (uint32_t)strtoul(n->value, NULL, 10) : SHM_XB_INITIALISING;
    __sync_synchronize();
    shm_set32(&shm, SHM_OFF_FRONT_STATE, state);
}

static void apply_write(const char *path, const char *value, int frontend_side)
{
    struct node *n = find_node(path);
    size_t fl = strlen(front_dir);
    if (frontend_side && strncmp(path, front_dir, fl) == 0 && path[fl] == '/') {
        const char *key = path + fl + 1;
        note(rf_stats.keys_written, sizeof rf_stats.keys_written, key);
        if (value && strcmp(key, "state") == 0) {
            size_t l = strlen(rf_stats.states);
            if (l + 4 < sizeof rf_stats.states) snprintf(rf_stats.states + l, sizeof rf_stats.states - l, "%s%s", l ? ">" : "", value);
        }
    }
    generation++;
    if (!value) {
        if (n) {
            free(n->path);
            free(n->value);
            *n = nodes[--nnodes];
        }
        return;
    }
    if (!n) {
        if (nnodes == MAX_NODES) fatal("xenstore: more than %u nodes", MAX_NODES);
        n = &nodes[nnodes++];
        n->path = strdup(path);
        n->value = NULL;
    }
    free(n->value);
    n->value = strdup(value);
    n->gen = generation;
}

static int check_path(const char *path)
{
    /* A guest may write only under its own frontend area (xenstored's permissions). */
    size_t fl = strlen(front_dir);
    return strncmp(path, front_dir, fl) == 0 && (path[fl] == '/' || path[fl] == '\0') ? 0 : EACCES;
}

/* xenstored's do_rm: removing a node that is not there succeeds if its parent exists. */
static int parent_exists(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash) return 1;
    size_t pl = (size_t)(slash - path);
    for (unsigned i = 0; i < nnodes; i++)
        if (strncmp(nodes[i].path, path, pl) == 0 && (nodes[i].path[pl] == '/' || nodes[i].path[pl] == '\0')) return 1;
    return 0;
}

static int stage(uint32_t t, const char *path, const char *value)
{
    int err = check_path(path);
    if (err) return err;
    if (t) {
        if (t != txn.id) return ESRCH;
        if (txn.nops == MAX_TXN_OPS) return E2BIG;
        txn.ops[txn.nops].path = strdup(path);
        txn.ops[txn.nops].value = value ? strdup(value) : NULL;
        txn.nops++;
        return 0;
    }
    if (!value && !find_node(path) && !parent_exists(path)) return ENOENT;
    apply_write(path, value, 1);
    export_frontend();
    return 0;
}

int rf_xs_write(uint32_t t, const char *path, const char *value) { return stage(t, path, value); }
int rf_xs_rm(uint32_t t, const char *path) { return stage(t, path, NULL); }

int rf_xs_directory(uint32_t t, const char *path, char ***names, unsigned *count)
{
    (void)t;
    size_t pl = strlen(path);
    char **out = calloc(MAX_NODES + 1, sizeof *out);
    unsigned n = 0;
    note(rf_stats.keys_read, sizeof rf_stats.keys_read, path);
    for (unsigned i = 0; i < nnodes; i++) {
        const char *p = nodes[i].path;
        if (strncmp(p, path, pl) != 0 || p[pl] != '/') continue;
        const char *child = p + pl + 1;
        size_t cl = strcspn(child, "/");
        int dup = 0;
        for (unsigned j = 0; j < n; j++) if (strlen(out[j]) == cl && strncmp(out[j], child, cl) == 0) dup = 1;
        if (!dup) out[n++] = strndup(child, cl);
    }
    if (n == 0) { free(out); return ENOENT; }
    *names = out;
    *count = n;
    return 0;
}

int rf_xs_transaction_start(uint32_t *t)
{
    if (txn.id) return EBUSY; /* this guest runs one at a time */
    memset(&txn, 0, sizeof txn);
    txn.id = next_txn++;
    txn.gen = generation;
    *t = txn.id;
    return 0;
}

int rf_xs_transaction_end(uint32_t t, int abort)
{
    if (!t || t != txn.id) return ESRCH;
    int err = 0;
    if (!abort) {
        /* xenstored refuses a commit when something the transaction read has changed since. */
        for (unsigned i = 0; i < txn.nreads && !err; i++) {
            char buf[256];
            const char *v = NULL;
            int e = raw_read(txn.reads[i].path, buf, sizeof buf, &v);
            if ((e != 0) != (txn.reads[i].value == NULL) || (e == 0 && strcmp(v, txn.reads[i].value) != 0)) err = EAGAIN;
        }
        if (!err) {
            for (unsigned i = 0; i < txn.nops; i++) apply_write(txn.ops[i].path, txn.ops[i].value, 1);
            export_frontend();
        }
    }
    for (unsigned i = 0; i < txn.nops; i++) { free(txn.ops[i].path); free(txn.ops[i].value); }
    for (unsigned i = 0; i < txn.nreads; i++) { free(txn.reads[i].path); free(txn.reads[i].value); }
    txn.id = 0;
    return err;
}

/* ------------------------------------------------------------------ toolstack */

void rf_toolstack_add_disk(unsigned devid, const char *mode)
{
    char p[128], v[64];
    snprintf(front_dir, sizeof front_dir, "device/vbd/%u", devid);
    snprintf(back_dir, sizeof back_dir, "backend/vbd/%u/%u", RF_FRONT_DOMID, devid);
#define TS(dir, key, val) do { snprintf(p, sizeof p, "%s/%s", dir, key); apply_write(p, val, 0); } while (0)
    TS(front_dir, "backend", back_dir);
    snprintf(v, sizeof v, "%u", RF_BACK_DOMID);
    TS(front_dir, "backend-id", v);
    snprintf(v, sizeof v, "%u", devid);
    TS(front_dir, "virtual-device", v);
    TS(front_dir, "device-type", "disk");
    TS(front_dir, "state", "1");
    TS(back_dir, "frontend", front_dir);
    snprintf(v, sizeof v, "%u", RF_FRONT_DOMID);
    TS(back_dir, "frontend-id", v);
    TS(back_dir, "mode", mode);
    TS(back_dir, "dev", "xvda");
    TS(back_dir, "type", "phy");
    TS(back_dir, "state", "1");
#undef TS
    export_frontend();
}

int rf_toolstack_wait_backend(unsigned timeout_ms)
{
    uint64_t deadline = shm_now_ms() + timeout_ms;
    unsigned spins = 0;
    while (shm_get32(&shm, SHM_OFF_BACK_STATE) < SHM_XB_INITWAIT) {
        if (shm_now_ms() > deadline) return -1;
        shm_pause(&spins);
    }
    return 0;
}

void rf_toolstack_destroy_domain(void)
{
    if (shm.base) shm_set32(&shm, SHM_OFF_FRONT_STATE, SHM_XB_CLOSED);
}

uint32_t rf_back_state(void) { return shm_get32(&shm, SHM_OFF_BACK_STATE); }
uint32_t rf_front_state(void) { return shm_get32(&shm, SHM_OFF_FRONT_STATE); }

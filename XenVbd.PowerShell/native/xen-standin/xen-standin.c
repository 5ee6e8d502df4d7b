/*
 * xen-standin.c - Xen's user-space interfaces for a backend process, on the shared-memory file.
 *
 * Loaded with LD_PRELOAD into an unmodified backend (QEMU's xen-disk, "qdisk"), this library is
 * the hypervisor and xenstored as that process sees them, for one frontend domain whose memory is
 * the guest region of docs/shared-memory.md's file:
 *
 *   libxenstore   xs_*: an in-process XenStore tree with per-handle watches. A watch fires once when
 *                 it is registered, on every write at or below its path, and on the removal of the
 *                 node, of an ancestor or of a descendant (as xenstored's fire_watches does).
 *                 xs_fileno is a pipe that is readable exactly while watch events are queued.
 *                 xs_directory / xs_read_watch / xs_check_watch return ONE malloc'd block each.
 *   libxengnttab  grants are checked as Xen's grant-table code checks them: ref in range,
 *                 GTF_permit_access, the entry's domid is the mapping domain, read-only honoured,
 *                 frame inside guest memory; GTF_reading/GTF_writing are set with a compare-and-
 *                 swap while a grant is mapped (pin counts, cleared on the last unmap). A map is a
 *                 run of MAP_FIXED|MAP_SHARED views of the file's guest pages; grant_copy checks
 *                 each segment and sets its GNTST_* status.
 *   libxenevtchn  one interdomain channel per bound port over the file's event counters; a
 *                 delivered port is masked until xenevtchn_unmask (Linux's evtchn device), an event
 *                 arriving while masked stays pending and is delivered on unmask; the fd is a pipe
 *                 holding the delivered ports.
 *   xenctrl, xenforeignmemory, xendevicemodel: only the open and close calls (a handle nothing else uses);
 *                 every other imported entry point says it is not modelled and fails (ENOSYS).
 *   xentoolcore_restrict_all: succeeds (there is nothing to restrict).
 *
 * And the toolstack's part (libxl's): before the backend starts, the frontend's device directory
 * exists (backend, backend-id, state, virtual-device, device-type); QEMU 7.2 otherwise creates it
 * itself and writes state=1 over a frontend that was already Initialised.
 *
 * The file's frontend key area and state are mirrored into the frontend directory (watches fire);
 * the backend's directory is published into the backend key area and state (key area first).
 *
 * Environment:
 *   XENVBD_SHM            the shared-memory file (required); waited for up to XENVBD_SHM_WAIT_MS (20000)
 *   XENVBD_VDEV           the device's directory name (virtual-device), default 51712 (xvda)
 *   XENVBD_BACKEND_TYPE   the backend directory type, default qdisk
 *   XENVBD_NO_GRANT_COPY  1: grant_copy's probe (count 0) fails, so the backend maps grants instead
 *   XENVBD_EVENT_SCHEDULE seed:percent:max_ms - each event, both ways, is delayed with probability
 *                         percent by 1..max_ms ms (a seeded xorshift: the same seed, the same schedule)
 *   XENVBD_EVENT_DROP     percent: of the backend's notifies, dropped (never delivered) - seeded as above
 *   XENVBD_STANDIN_TRACE  1: every XenStore write, grant and event on stderr
 *   XENVBD_PARENT_PID     the owner's pid: the process dies with it (PR_SET_PDEATHSIG) and exits at load if it is gone
 *
 * Signatures come from Xen's headers (xenstore.h, xengnttab.h, xenevtchn.h). No Xen code is copied.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <xenstore.h>
#include <xengnttab.h>
#include <xenevtchn.h>
#include <xen/grant_table.h>
#include <xen/io/xs_wire.h>

#include "shm.h"   /* tests/interop/shm/shm.h: the build passes -I to its folder (the module ships a copy beside this file) */

#define EXPORT __attribute__((visibility("default")))

/* ---------------------------------------------------------------- common state */

static pthread_mutex_t lock = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static struct shm_map shm = { NULL, 0, -1 };
static int trace;
static uint32_t front_domid, back_domid, grant_entries;
static uint64_t guest_frames;
static uint8_t *guest;
static char front_dir[128], back_dir[160];

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("xen-standin: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

#define TRACE(...) do { if (trace) say(__VA_ARGS__); } while (0)

static void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void fatal(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("xen-standin: fatal: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    _exit(70);
}

/* Seeded xorshift64*: the event schedule's only random source. */
static uint64_t rng_state;
static int delay_percent, delay_max_ms, drop_percent;
static uint32_t rng_below(uint32_t n)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t)((rng_state * 2685821657736338717ULL) >> 33) % n;
}

static uint64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* ---------------------------------------------------------------- XenStore tree */

struct node {
    char *path;
    char *value;
    unsigned len;
    struct xs_permissions perms[4];
    unsigned nperms;
};

static struct node *nodes;
static unsigned nnodes, cap_nodes;

struct watch_event {
    char *path;
    char *token;
    struct watch_event *next;
};

struct watch {
    char *path;
    char *token;
    struct watch *next;
};

struct xs_handle {
    int pipe[2];                     /* one byte per queued event: readable exactly while events are queued */
    struct watch *watches;
    struct watch_event *head, *tail;
    struct xs_handle *next;
};

static struct xs_handle *handles;

static struct node *find_node(const char *path)
{
    for (unsigned i = 0; i < nnodes; i++)
        if (strcmp(nodes[i].path, path) == 0) return &nodes[i];
    return NULL;
}

/* Relative paths are relative to the caller's home, /local/domain/<backend domid>. */
static void absolute(const char *path, char *out, size_t cap)
{
    if (path[0] == '/') snprintf(out, cap, "%s", path);
    else if (path[0] == '\0') snprintf(out, cap, "/local/domain/%u", back_domid);
    else snprintf(out, cap, "/local/domain/%u/%s", back_domid, path);
    size_t n = strlen(out);
    while (n > 1 && out[n - 1] == '/') out[--n] = '\0';
}

/* child is at or below parent. */
static bool at_or_below(const char *child, const char *parent)
{
    size_t n = strlen(parent);
    if (strncmp(child, parent, n) != 0) return false;
    return child[n] == '\0' || child[n] == '/' || (n == 1 && parent[0] == '/');
}

static void queue_event(struct xs_handle *h, const char *path, const char *token)
{
    struct watch_event *e = calloc(1, sizeof *e);
    if (!e) fatal("out of memory");
    e->path = strdup(path);
    e->token = strdup(token);
    if (h->tail) h->tail->next = e;
    else h->head = e;
    h->tail = e;
    char b = 'w';
    if (write(h->pipe[1], &b, 1) != 1) fatal("watch pipe: %s", strerror(errno));
}

/* xenstored's rule: a watch fires for a change at or below it; a removal also fires every watch
 * below the removed node, with the watch's own path. */
static void fire(const char *path, bool removal)
{
    for (struct xs_handle *h = handles; h; h = h->next)
        for (struct watch *w = h->watches; w; w = w->next) {
            if (at_or_below(path, w->path)) queue_event(h, path, w->token);
            else if (removal && at_or_below(w->path, path)) queue_event(h, w->path, w->token);
        }
}

static void backend_published(void);
static void note_write(const char *path)
{
    if (at_or_below(path, back_dir)) backend_published();
}

static struct node *add_node(const char *path, const char *value, unsigned len)
{
    if (nnodes == cap_nodes) {
        cap_nodes = cap_nodes ? cap_nodes * 2 : 64;
        nodes = realloc(nodes, cap_nodes * sizeof *nodes);
        if (!nodes) fatal("out of memory");
    }
    struct node *n = &nodes[nnodes++];
    memset(n, 0, sizeof *n);
    n->path = strdup(path);
    n->value = malloc(len + 1);
    if (!n->path || !n->value) fatal("out of memory");
    memcpy(n->value, value, len);
    n->value[len] = '\0';
    n->len = len;
    n->perms[0].id = back_domid;
    n->perms[0].perms = XS_PERM_NONE;
    n->nperms = 1;
    return n;
}

/* Creates the missing ancestors of path (empty values), as xenstored does on a write. */
static void ensure_parents(const char *path)
{
    char buf[2048];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; (p = strchr(p, '/')); p++) {
        *p = '\0';
        if (!find_node(buf)) add_node(buf, "", 0);
        *p = '/';
    }
}

static void store_write(const char *path, const char *value, unsigned len)
{
    struct node *n = find_node(path);
    if (n) {
        char *v = malloc(len + 1);
        if (!v) fatal("out of memory");
        memcpy(v, value, len);
        v[len] = '\0';
        free(n->value);
        n->value = v;
        n->len = len;
    } else {
        ensure_parents(path);
        add_node(path, value, len);
    }
    TRACE("write %s = %.*s", path, (int)len, value);
    fire(path, false);
    note_write(path);
}

static bool store_rm(const char *path)
{
    bool any = false;
    for (unsigned i = 0; i < nnodes;) {
        if (at_or_below(nodes[i].path, path)) {
            free(nodes[i].path);
            free(nodes[i].value);
            nodes[i] = nodes[--nnodes];
            any = true;
        } else {
            i++;
        }
    }
    TRACE("rm %s%s", path, any ? "" : " (absent)");
    if (any) {
        fire(path, true);
        note_write(path);
    }
    return any;
}

static void store_write_str(const char *dir, const char *key, const char *value)
{
    char path[2048];
    snprintf(path, sizeof path, "%s/%s", dir, key);
    store_write(path, value, (unsigned)strlen(value));
}

/* ---------------------------------------------------------------- the file <-> XenStore */

/* Keys each process keeps for itself (paths in this process, or the state's own field). */
static const char *const front_local[] = { "state", "backend", "backend-id", "virtual-device", "device-type", NULL };
static const char *const back_local[] = { "state", "frontend", "frontend-id", NULL };

static bool is_local(const char *name, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(name, *list) == 0) return true;
    return false;
}

/* 0: the toolstack wrote Initialising itself; a file still at 0 (the frontend not started) changes nothing. */
static uint32_t seen_front_keys = 0xFFFFFFFFu, seen_front_state = 0;

/* The frontend's key area and state, mirrored into its directory: absent keys removed. */
static void import_frontend(void)
{
    uint32_t state = shm_get32(&shm, SHM_OFF_FRONT_STATE);
    uint32_t seq = shm_get32(&shm, SHM_OFF_FRONT_KEYS);
    if (seq == seen_front_keys && state == seen_front_state) return;
    char text[SHM_KEYS_CAPACITY + 1];
    seq = shm_keys_snapshot(&shm, SHM_OFF_FRONT_KEYS, text);
    if (seq != seen_front_keys) {
        seen_front_keys = seq;
        size_t dl = strlen(front_dir);
        /* Remove what the frontend no longer lists. */
        for (unsigned i = 0; i < nnodes; i++) {
            const char *p = nodes[i].path;
            if (strncmp(p, front_dir, dl) != 0 || p[dl] != '/') continue;
            const char *name = p + dl + 1;
            char v[8];
            if (is_local(name, front_local) || strchr(name, '/')) continue;
            if (!shm_keys_get(text, name, v, sizeof v)) {
                char doomed[2048];
                snprintf(doomed, sizeof doomed, "%s", p);
                store_rm(doomed);
                i = (unsigned)-1; /* the array moved */
            }
        }
        for (char *line = text; *line;) {
            char *end = strchr(line, '\n');
            if (!end) break;
            *end = '\0';
            char *eq = strchr(line, '=');
            if (eq && eq != line) {
                *eq = '\0';
                if (!is_local(line, front_local)) {
                    char path[2048];
                    snprintf(path, sizeof path, "%s/%s", front_dir, line);
                    struct node *n = find_node(path);
                    if (!n || strcmp(n->value, eq + 1) != 0) store_write(path, eq + 1, (unsigned)strlen(eq + 1));
                }
            }
            line = end + 1;
        }
    }
    if (state != seen_front_state) {
        seen_front_state = state;
        char v[16];
        snprintf(v, sizeof v, "%u", state);
        store_write_str(front_dir, "state", v);
    }
}

static unsigned long key_number(const char *dir, const char *key, unsigned long fallback)
{
    char path[2048];
    snprintf(path, sizeof path, "%s/%s", dir, key);
    struct node *n = find_node(path);
    return n ? strtoul(n->value, NULL, 10) : fallback;
}

static uint32_t published_back_state;

/* The backend's directory, published into its key area, the fixed summary fields, then the state. */
static void backend_published(void)
{
    char text[SHM_KEYS_CAPACITY + 1] = "";
    size_t dl = strlen(back_dir);
    for (unsigned i = 0; i < nnodes; i++) {
        const char *p = nodes[i].path;
        if (strncmp(p, back_dir, dl) != 0 || p[dl] != '/') continue;
        const char *name = p + dl + 1;
        if (is_local(name, back_local) || strchr(name, '/') || strchr(name, '=')) continue;
        if (shm_keys_add(text, sizeof text, name, "%s", nodes[i].value) != 0) fatal("the backend's keys do not fit the key area (%u bytes)", SHM_KEYS_CAPACITY);
    }
    char cur[SHM_KEYS_CAPACITY + 1];
    shm_keys_snapshot(&shm, SHM_OFF_BACK_KEYS, cur);
    if (strcmp(cur, text) != 0) shm_keys_write(&shm, SHM_OFF_BACK_KEYS, text);
    uint32_t features = 0;
    if (key_number(back_dir, "feature-flush-cache", 0)) features |= SHM_FEATURE_FLUSH;
    if (key_number(back_dir, "feature-barrier", 0)) features |= SHM_FEATURE_BARRIER;
    if (key_number(back_dir, "feature-discard", 0)) features |= SHM_FEATURE_DISCARD;
    shm_set32(&shm, SHM_OFF_BACK_FEATURES, features);
    shm_set32(&shm, SHM_OFF_BACK_MAX_RING_ORDER, (uint32_t)key_number(back_dir, "max-ring-page-order", 0));
    shm_set64(&shm, SHM_OFF_BACK_SECTORS, (uint64_t)key_number(back_dir, "sectors", 0));
    shm_set32(&shm, SHM_OFF_BACK_SECTOR_SIZE, (uint32_t)key_number(back_dir, "sector-size", 0));
    shm_set32(&shm, SHM_OFF_BACK_PHYS_SECTOR_SIZE, (uint32_t)key_number(back_dir, "physical-sector-size", 0));
    shm_set32(&shm, SHM_OFF_BACK_INFO, (uint32_t)key_number(back_dir, "info", 0));
    shm_set32(&shm, SHM_OFF_BACK_MAX_INDIRECT, (uint32_t)key_number(back_dir, "feature-max-indirect-segments", 0));
    uint32_t state = (uint32_t)key_number(back_dir, "state", 0);
    if (state != published_back_state) {
        published_back_state = state;
        shm_set32(&shm, SHM_OFF_BACK_STATE, state);
        TRACE("backend state %u published", state);
        if (state == SHM_XB_INITWAIT) {
            /* Which keys a frontend reacting at once to InitWait can see (QEMU 10 writes its features after). */
            char names[SHM_KEYS_CAPACITY + 1] = "";
            for (char *p = text; *p;) {
                char *eq = strchr(p, '='), *nl = strchr(p, '\n');
                if (!eq || !nl) break;
                strncat(names, p, (size_t)(eq - p));
                strcat(names, " ");
                p = nl + 1;
            }
            say("backend InitWait published; its keys then: %s", names);
        }
    }
}

/* ---------------------------------------------------------------- event channels */

struct xenevtchn_handle {
    int pipe[2];
    struct xenevtchn_handle *next;
};

/* The one interdomain channel to the frontend (a backend of one device binds one). */
static struct {
    struct xenevtchn_handle *h;
    evtchn_port_t local;
    uint32_t remote;
    bool bound, masked, pending;
} chan;
static evtchn_port_t next_port = 1;
static uint32_t seen_f2b;
static uint64_t f2b_due, b2f_due;         /* a delayed event's delivery time, 0 = none */
static unsigned b2f_owed;                 /* delayed backend notifies not yet in the counter */
static uint64_t events_in, events_out, events_dropped, events_delayed;

static void deliver_to_backend(void)
{
    if (!chan.bound) return;
    events_in++;
    if (chan.masked) {
        chan.pending = true;
        return;
    }
    chan.masked = true; /* the evtchn device masks a port as it queues it */
    if (write(chan.h->pipe[1], &chan.local, sizeof chan.local) != (ssize_t)sizeof chan.local) fatal("event pipe: %s", strerror(errno));
}

static uint64_t schedule_delay_us(void)
{
    if (delay_percent <= 0 || (int)rng_below(100) >= delay_percent) return 0;
    events_delayed++;
    return (uint64_t)(1 + rng_below((uint32_t)delay_max_ms)) * 1000u;
}

/* ---------------------------------------------------------------- the pump thread */

static void *pump(void *arg)
{
    (void)arg;
    unsigned idle = 0;
    for (;;) {
        bool busy = false;
        pthread_mutex_lock(&lock);
        import_frontend();
        uint32_t f2b = shm_get32(&shm, SHM_OFF_EVT_F2B);
        uint64_t t = now_us();
        if (f2b != seen_f2b) {
            seen_f2b = f2b;
            busy = true;
            if (!f2b_due) {
                uint64_t d = schedule_delay_us();
                if (d) f2b_due = t + d;
                else deliver_to_backend();
            }
        }
        if (f2b_due && t >= f2b_due) {
            f2b_due = 0;
            deliver_to_backend();
        }
        if (b2f_owed && t >= b2f_due) {
            b2f_owed = 0;
            shm_notify(&shm, SHM_OFF_EVT_B2F);
        }
        pthread_mutex_unlock(&lock);
        if (busy) idle = 0;
        else if (++idle < 32) sched_yield();
        else {
            struct timespec ts = { 0, idle < 2000 ? 20000 : 200000 };
            nanosleep(&ts, NULL);
        }
    }
    return NULL;
}

static void init(void)
{
    trace = getenv("XENVBD_STANDIN_TRACE") && strcmp(getenv("XENVBD_STANDIN_TRACE"), "1") == 0;
    const char *path = getenv("XENVBD_SHM");
    if (!path || !*path) fatal("XENVBD_SHM is not set: the shared-memory file to serve");
    unsigned wait_ms = getenv("XENVBD_SHM_WAIT_MS") ? (unsigned)strtoul(getenv("XENVBD_SHM_WAIT_MS"), NULL, 10) : 20000u;
    char err[256];
    if (shm_open_existing(&shm, path, wait_ms, err, sizeof err) != 0) fatal("%s: %s", path, err);
    front_domid = shm_get32(&shm, SHM_OFF_FRONT_DOMID);
    back_domid = shm_get32(&shm, SHM_OFF_BACK_DOMID);
    grant_entries = shm_get32(&shm, SHM_OFF_GRANT_ENTRIES);
    guest = shm.base + shm_get64(&shm, SHM_OFF_GUEST_OFFSET);
    guest_frames = shm_get64(&shm, SHM_OFF_GUEST_LENGTH) / SHM_PAGE;
    const char *vdev = getenv("XENVBD_VDEV") ? getenv("XENVBD_VDEV") : "51712";
    const char *type = getenv("XENVBD_BACKEND_TYPE") ? getenv("XENVBD_BACKEND_TYPE") : "qdisk";
    snprintf(front_dir, sizeof front_dir, "/local/domain/%u/device/vbd/%s", front_domid, vdev);
    snprintf(back_dir, sizeof back_dir, "/local/domain/%u/backend/%s/%u/%s", back_domid, type, front_domid, vdev);

    const char *sched = getenv("XENVBD_EVENT_SCHEDULE");
    unsigned long long seed = 1;
    if (sched && sscanf(sched, "%llu:%d:%d", &seed, &delay_percent, &delay_max_ms) != 3) fatal("XENVBD_EVENT_SCHEDULE=%s is not seed:percent:max_ms", sched);
    if (delay_percent < 0 || delay_percent > 100 || (delay_percent > 0 && delay_max_ms < 1)) fatal("XENVBD_EVENT_SCHEDULE=%s: percent 0..100, max_ms >= 1", sched);
    drop_percent = getenv("XENVBD_EVENT_DROP") ? atoi(getenv("XENVBD_EVENT_DROP")) : 0;
    if (drop_percent < 0 || drop_percent > 100) fatal("XENVBD_EVENT_DROP must be 0..100");
    rng_state = seed * 0x9E3779B97F4A7C15ULL + 1;

    /* The toolstack's part, before the backend looks: the domain homes and the frontend area. */
    char v[64];
    store_write_str("/local/domain/0", "domid", "0");
    snprintf(v, sizeof v, "%u", front_domid);
    char home[64];
    snprintf(home, sizeof home, "/local/domain/%u", front_domid);
    store_write_str(home, "domid", v);
    store_write_str(front_dir, "backend", back_dir);
    snprintf(v, sizeof v, "%u", back_domid);
    store_write_str(front_dir, "backend-id", v);
    store_write_str(front_dir, "virtual-device", vdev);
    store_write_str(front_dir, "device-type", "disk");
    /* libxl writes state=1 when it creates the area: a backend that reads 0 (Unknown) there goes Closed. */
    store_write_str(front_dir, "state", "1");
    import_frontend();
    seen_f2b = shm_get32(&shm, SHM_OFF_EVT_F2B);
    shm_set32(&shm, SHM_OFF_BACK_PID, (uint32_t)getpid());
    say("serving %s: frontend domain %u (%s), backend %s, %u grant entries, %llu guest frames%s", path, front_domid, front_dir, back_dir,
        grant_entries, (unsigned long long)guest_frames, getenv("XENVBD_NO_GRANT_COPY") ? ", grant copy off" : "");

    pthread_t t;
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old); /* signals stay with the host program's threads */
    if (pthread_create(&t, NULL, pump, NULL) != 0) fatal("pthread_create failed");
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    pthread_detach(t);
}

static void ensure_init(void) { pthread_once(&once, init); }

/*
 * No orphans: with XENVBD_PARENT_PID set (the XenVbd module sets it to its own pid), the kernel kills this
 * process when its parent dies, however it dies (PR_SET_PDEATHSIG, SIGKILL). The parent may have died before
 * this constructor ran (the signal is then never sent): a parent other than the one named means that, so exit.
 * Runs when the library is loaded, before the backend program's main.
 */
__attribute__((constructor)) static void tie_to_parent(void)
{
    const char *want = getenv("XENVBD_PARENT_PID");
    if (!want || !*want) return;
    char *end;
    long pid = strtol(want, &end, 10);
    if (*end != '\0' || pid <= 0) fatal("XENVBD_PARENT_PID=%s is not a process id", want);
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) fatal("prctl(PR_SET_PDEATHSIG): %s", strerror(errno));
    if ((long)getppid() != pid) {
        say("parent %ld is gone (parent now %ld): exiting, as the parent-death signal will never come", pid, (long)getppid());
        _exit(70);
    }
}

/* ---------------------------------------------------------------- libxenstore */

static struct xs_handle *new_xs_handle(void)
{
    ensure_init();
    struct xs_handle *h = calloc(1, sizeof *h);
    if (!h) return NULL;
    if (pipe2(h->pipe, O_CLOEXEC | O_NONBLOCK) != 0) { free(h); return NULL; }
    pthread_mutex_lock(&lock);
    h->next = handles;
    handles = h;
    pthread_mutex_unlock(&lock);
    return h;
}

EXPORT struct xs_handle *xs_open(unsigned long flags) { (void)flags; return new_xs_handle(); }
EXPORT struct xs_handle *xs_daemon_open(void) { return new_xs_handle(); }
EXPORT struct xs_handle *xs_domain_open(void) { return new_xs_handle(); }
EXPORT struct xs_handle *xs_daemon_open_readonly(void) { return new_xs_handle(); }

EXPORT void xs_close(struct xs_handle *h)
{
    if (!h) return;
    pthread_mutex_lock(&lock);
    for (struct xs_handle **p = &handles; *p; p = &(*p)->next)
        if (*p == h) { *p = h->next; break; }
    while (h->watches) {
        struct watch *w = h->watches;
        h->watches = w->next;
        free(w->path); free(w->token); free(w);
    }
    while (h->head) {
        struct watch_event *e = h->head;
        h->head = e->next;
        free(e->path); free(e->token); free(e);
    }
    pthread_mutex_unlock(&lock);
    close(h->pipe[0]);
    close(h->pipe[1]);
    free(h);
}

EXPORT void xs_daemon_close(struct xs_handle *h) { xs_close(h); }

EXPORT int xs_fileno(struct xs_handle *h) { return h->pipe[0]; }

EXPORT void *xs_read(struct xs_handle *h, xs_transaction_t t, const char *path, unsigned int *len)
{
    (void)h; (void)t;
    char abs[2048];
    absolute(path, abs, sizeof abs);
    pthread_mutex_lock(&lock);
    struct node *n = find_node(abs);
    char *v = NULL;
    if (n) {
        v = malloc(n->len + 1);
        if (v) { memcpy(v, n->value, n->len + 1); if (len) *len = n->len; }
    }
    pthread_mutex_unlock(&lock);
    if (!n) errno = ENOENT;
    return v;
}

EXPORT bool xs_write(struct xs_handle *h, xs_transaction_t t, const char *path, const void *data, unsigned int len)
{
    (void)h; (void)t;
    char abs[2048];
    absolute(path, abs, sizeof abs);
    pthread_mutex_lock(&lock);
    store_write(abs, data, len);
    pthread_mutex_unlock(&lock);
    return true;
}

EXPORT bool xs_mkdir(struct xs_handle *h, xs_transaction_t t, const char *path)
{
    (void)h; (void)t;
    char abs[2048];
    absolute(path, abs, sizeof abs);
    pthread_mutex_lock(&lock);
    if (!find_node(abs)) store_write(abs, "", 0);
    pthread_mutex_unlock(&lock);
    return true;
}

EXPORT bool xs_rm(struct xs_handle *h, xs_transaction_t t, const char *path)
{
    (void)h; (void)t;
    char abs[2048], parent[2048];
    absolute(path, abs, sizeof abs);
    pthread_mutex_lock(&lock);
    bool existed = store_rm(abs);
    snprintf(parent, sizeof parent, "%s", abs);
    char *slash = strrchr(parent, '/');
    if (slash && slash != parent) *slash = '\0';
    bool ok = existed || find_node(parent) != NULL; /* xenstored: removing an absent child of an existing node succeeds */
    pthread_mutex_unlock(&lock);
    if (!ok) errno = ENOENT;
    return ok;
}

EXPORT char **xs_directory(struct xs_handle *h, xs_transaction_t t, const char *path, unsigned int *num)
{
    (void)h; (void)t;
    char abs[2048];
    absolute(path, abs, sizeof abs);
    pthread_mutex_lock(&lock);
    if (!find_node(abs)) {
        pthread_mutex_unlock(&lock);
        errno = ENOENT;
        return NULL;
    }
    size_t al = strlen(abs), bytes = 0;
    unsigned count = 0;
    for (unsigned i = 0; i < nnodes; i++) {
        const char *p = nodes[i].path;
        if (strncmp(p, abs, al) == 0 && p[al] == '/' && !strchr(p + al + 1, '/')) { count++; bytes += strlen(p + al + 1) + 1; }
    }
    /* One block: the pointer array, then the names (the caller frees it with one free()). */
    char **vec = malloc(count * sizeof(char *) + bytes + 1);
    if (vec) {
        char *s = (char *)(vec + count);
        unsigned k = 0;
        for (unsigned i = 0; i < nnodes; i++) {
            const char *p = nodes[i].path;
            if (strncmp(p, abs, al) == 0 && p[al] == '/' && !strchr(p + al + 1, '/')) {
                vec[k++] = s;
                strcpy(s, p + al + 1);
                s += strlen(s) + 1;
            }
        }
        *num = count;
    }
    pthread_mutex_unlock(&lock);
    return vec;
}

EXPORT struct xs_permissions *xs_get_permissions(struct xs_handle *h, xs_transaction_t t, const char *path, unsigned int *num)
{
    (void)h; (void)t;
    char abs[2048];
    absolute(path, abs, sizeof abs);
    pthread_mutex_lock(&lock);
    struct node *n = find_node(abs);
    struct xs_permissions *p = NULL;
    if (n && (p = malloc(n->nperms * sizeof *p))) { memcpy(p, n->perms, n->nperms * sizeof *p); *num = n->nperms; }
    pthread_mutex_unlock(&lock);
    if (!n) errno = ENOENT;
    return p;
}

EXPORT bool xs_set_permissions(struct xs_handle *h, xs_transaction_t t, const char *path, struct xs_permissions *perms, unsigned int num_perms)
{
    (void)h; (void)t;
    char abs[2048];
    absolute(path, abs, sizeof abs);
    if (num_perms == 0 || num_perms > 4) { errno = EINVAL; return false; }
    pthread_mutex_lock(&lock);
    struct node *n = find_node(abs);
    if (n) {
        memcpy(n->perms, perms, num_perms * sizeof *perms);
        n->nperms = num_perms;
        fire(abs, false); /* xenstored fires watches on a permission change too */
    }
    pthread_mutex_unlock(&lock);
    if (!n) errno = ENOENT;
    return n != NULL;
}

EXPORT bool xs_watch(struct xs_handle *h, const char *path, const char *token)
{
    char abs[2048];
    absolute(path, abs, sizeof abs);
    struct watch *w = calloc(1, sizeof *w);
    if (!w) return false;
    w->path = strdup(abs);
    w->token = strdup(token);
    pthread_mutex_lock(&lock);
    w->next = h->watches;
    h->watches = w;
    queue_event(h, abs, token); /* a new watch fires once */
    pthread_mutex_unlock(&lock);
    TRACE("watch %s (%s)", abs, token);
    return true;
}

EXPORT bool xs_unwatch(struct xs_handle *h, const char *path, const char *token)
{
    char abs[2048];
    absolute(path, abs, sizeof abs);
    bool found = false;
    pthread_mutex_lock(&lock);
    for (struct watch **p = &h->watches; *p; p = &(*p)->next)
        if (strcmp((*p)->path, abs) == 0 && strcmp((*p)->token, token) == 0) {
            struct watch *w = *p;
            *p = w->next;
            free(w->path); free(w->token); free(w);
            found = true;
            break;
        }
    pthread_mutex_unlock(&lock);
    if (!found) errno = ENOENT;
    return found;
}

/* Pops one queued event as ONE malloc'd block: char *[2] then path and token. NULL if none (EAGAIN). */
static char **pop_event(struct xs_handle *h, unsigned int *num)
{
    pthread_mutex_lock(&lock);
    struct watch_event *e = h->head;
    char **vec = NULL;
    if (e) {
        char b;
        if (read(h->pipe[0], &b, 1) != 1) fatal("watch pipe out of step");
        h->head = e->next;
        if (!h->head) h->tail = NULL;
        size_t pl = strlen(e->path) + 1, tl = strlen(e->token) + 1;
        vec = malloc(2 * sizeof(char *) + pl + tl);
        if (vec) {
            vec[XS_WATCH_PATH] = (char *)(vec + 2);
            vec[XS_WATCH_TOKEN] = vec[XS_WATCH_PATH] + pl;
            memcpy(vec[XS_WATCH_PATH], e->path, pl);
            memcpy(vec[XS_WATCH_TOKEN], e->token, tl);
            if (num) *num = 2;
        }
        free(e->path); free(e->token); free(e);
    }
    pthread_mutex_unlock(&lock);
    if (!e) errno = EAGAIN;
    return vec;
}

EXPORT char **xs_check_watch(struct xs_handle *h) { return pop_event(h, NULL); }

EXPORT char **xs_read_watch(struct xs_handle *h, unsigned int *num)
{
    for (;;) {
        char **v = pop_event(h, num);
        if (v) return v;
        struct pollfd p = { h->pipe[0], POLLIN, 0 };
        poll(&p, 1, -1);
    }
}

/* No isolation: this store has one client process, whose writes are the only ones a transaction
 * could conflict with besides the file's mirror; every transaction commits. */
EXPORT xs_transaction_t xs_transaction_start(struct xs_handle *h) { (void)h; return 1; }
EXPORT bool xs_transaction_end(struct xs_handle *h, xs_transaction_t t, bool abort_) { (void)h; (void)t; (void)abort_; return true; }

EXPORT char *xs_get_domain_path(struct xs_handle *h, unsigned int domid)
{
    (void)h;
    char *p = malloc(32);
    if (p) snprintf(p, 32, "/local/domain/%u", domid);
    return p;
}

EXPORT bool xs_path_is_subpath(const char *parent, const char *child) { return at_or_below(child, parent); }

/* ---------------------------------------------------------------- libxengnttab */

/* Linux's gntdev (5.x and later, Debian 12's 6.1) has no per-file limit any more: the SET_MAX_GRANTS
 * ioctl is gone and libxengnttab ignores its ENOTTY; what remains is the module's `limit`, the most
 * grants one mapping request may name (gntdev_test_page_count, 64 Ki). */
#define GNTDEV_LIMIT (64u * 1024u)

struct xengntdev_handle {
    uint32_t max_grants; /* recorded, not enforced (see above) */
    uint32_t mapped;
};

struct mapping {
    uint8_t *addr;
    uint32_t count;
    uint32_t *refs;
    bool readonly;
    struct mapping *next;
};

static struct mapping *mappings;
static uint16_t *pins_r, *pins_w;   /* per ref: read and write pins held by this process */

static volatile struct shm_grant_v1 *grant_entry(uint32_t ref)
{
    return (volatile struct shm_grant_v1 *)(shm.base + shm_get64(&shm, SHM_OFF_GRANT_OFFSET)) + ref;
}

/*
 * Pins a grant for this (backend) domain as Xen's map and copy paths do: the entry must permit
 * access to exactly this domain, a writable pin is refused on a read-only grant, the frame must be
 * guest memory. Sets GTF_reading (and GTF_writing) with a compare-and-swap, so the flags the
 * frontend sees say "in use". Returns GNTST_okay or the GNTST_* code.
 */
static int pin_grant(uint32_t ref, bool writable, uint8_t **page)
{
    if (ref >= grant_entries) return GNTST_bad_gntref;
    volatile struct shm_grant_v1 *e = grant_entry(ref);
    uint32_t *word = (uint32_t *)(uintptr_t)e; /* flags (low 16) and domid (high 16) */
    for (;;) {
        uint32_t old = __atomic_load_n(word, __ATOMIC_ACQUIRE);
        uint16_t flags = (uint16_t)old, domid = (uint16_t)(old >> 16);
        if ((flags & GTF_type_mask) != GTF_permit_access || domid != back_domid) return GNTST_general_error;
        if (writable && (flags & GTF_readonly)) return GNTST_general_error;
        uint16_t nflags = (uint16_t)(flags | GTF_reading | (writable ? GTF_writing : 0));
        uint32_t neu = (old & 0xFFFF0000u) | nflags;
        if (__atomic_compare_exchange_n(word, &old, neu, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) break;
    }
    uint32_t frame = e->frame;
    if ((uint64_t)frame >= guest_frames) {
        /* Xen refuses a frame the domain does not own; undo the busy bits it would not have set. */
        if (!pins_r[ref] && !pins_w[ref]) __atomic_fetch_and((uint16_t *)(uintptr_t)&e->flags, (uint16_t)~(GTF_reading | GTF_writing), __ATOMIC_ACQ_REL);
        else if (!pins_w[ref]) __atomic_fetch_and((uint16_t *)(uintptr_t)&e->flags, (uint16_t)~GTF_writing, __ATOMIC_ACQ_REL);
        return GNTST_bad_page;
    }
    if (writable) pins_w[ref]++;
    else pins_r[ref]++;
    *page = guest + (uint64_t)frame * SHM_PAGE;
    return GNTST_okay;
}

static void unpin_grant(uint32_t ref, bool writable)
{
    volatile struct shm_grant_v1 *e = grant_entry(ref);
    if (writable) pins_w[ref]--;
    else pins_r[ref]--;
    uint16_t clear = 0;
    if (!pins_w[ref]) clear |= GTF_writing;
    if (!pins_w[ref] && !pins_r[ref]) clear |= GTF_reading;
    if (clear) __atomic_fetch_and((uint16_t *)(uintptr_t)&e->flags, (uint16_t)~clear, __ATOMIC_ACQ_REL);
}

EXPORT xengnttab_handle *xengnttab_open(struct xentoollog_logger *logger, unsigned open_flags)
{
    (void)logger; (void)open_flags;
    ensure_init();
    pthread_mutex_lock(&lock);
    if (!pins_r) {
        pins_r = calloc(grant_entries, sizeof *pins_r);
        pins_w = calloc(grant_entries, sizeof *pins_w);
        if (!pins_r || !pins_w) fatal("out of memory");
    }
    pthread_mutex_unlock(&lock);
    xengnttab_handle *h = calloc(1, sizeof *h);
    if (h) h->max_grants = GNTDEV_LIMIT;
    return h;
}

EXPORT int xengnttab_close(xengnttab_handle *h) { free(h); return 0; }

EXPORT int xengnttab_set_max_grants(xengnttab_handle *h, uint32_t n) { h->max_grants = n; return 0; }

EXPORT void *xengnttab_map_domain_grant_refs(xengnttab_handle *h, uint32_t count, uint32_t domid, uint32_t *refs, int prot)
{
    if (count == 0) { errno = EINVAL; return NULL; }
    if (domid != front_domid) { say("map of %u grant(s) from domain %u: no such domain", count, domid); errno = ESRCH; return NULL; }
    if (count > GNTDEV_LIMIT) { say("map of %u grant(s) exceeds gntdev's limit of %u per request", count, GNTDEV_LIMIT); errno = EINVAL; return NULL; }
    bool writable = (prot & PROT_WRITE) != 0;
    pthread_mutex_lock(&lock);
    uint8_t **pages = calloc(count, sizeof *pages);
    uint32_t done = 0;
    int status = GNTST_okay;
    for (; pages && done < count; done++) {
        status = pin_grant(refs[done], writable, &pages[done]);
        if (status != GNTST_okay) break;
    }
    if (!pages || status != GNTST_okay) {
        if (pages) say("map of grant %u from domain %u refused: GNTST %d", refs[done], domid, status);
        while (done > 0) unpin_grant(refs[--done], writable);
        pthread_mutex_unlock(&lock);
        free(pages);
        errno = EINVAL;
        return NULL;
    }
    /* Reserve the run, then view each granted guest page of the file in place. */
    uint8_t *addr = mmap(NULL, (size_t)count * SHM_PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    for (uint32_t i = 0; addr != MAP_FAILED && i < count; i++) {
        off_t off = (off_t)(pages[i] - shm.base);
        if (mmap(addr + (size_t)i * SHM_PAGE, SHM_PAGE, writable ? PROT_READ | PROT_WRITE : PROT_READ, MAP_SHARED | MAP_FIXED, shm.fd, off) == MAP_FAILED)
            fatal("mmap of guest page at %lld: %s", (long long)off, strerror(errno));
    }
    free(pages);
    if (addr == MAP_FAILED) fatal("mmap reserve: %s", strerror(errno));
    struct mapping *m = calloc(1, sizeof *m);
    m->addr = addr;
    m->count = count;
    m->refs = malloc(count * sizeof *refs);
    memcpy(m->refs, refs, count * sizeof *refs);
    m->readonly = !writable;
    m->next = mappings;
    mappings = m;
    h->mapped += count;
    pthread_mutex_unlock(&lock);
    TRACE("mapped %u grant(s) from %u (first ref %u)%s at %p", count, domid, refs[0], writable ? "" : " read-only", (void *)addr);
    return addr;
}

EXPORT void *xengnttab_map_grant_refs(xengnttab_handle *h, uint32_t count, uint32_t *domids, uint32_t *refs, int prot)
{
    for (uint32_t i = 1; i < count; i++)
        if (domids[i] != domids[0]) { errno = EINVAL; return NULL; }
    return xengnttab_map_domain_grant_refs(h, count, count ? domids[0] : 0, refs, prot);
}

EXPORT void *xengnttab_map_grant_ref(xengnttab_handle *h, uint32_t domid, uint32_t ref, int prot)
{
    return xengnttab_map_domain_grant_refs(h, 1, domid, &ref, prot);
}

EXPORT int xengnttab_unmap(xengnttab_handle *h, void *start, uint32_t count)
{
    pthread_mutex_lock(&lock);
    for (struct mapping **p = &mappings; *p; p = &(*p)->next) {
        struct mapping *m = *p;
        if (m->addr != start) continue;
        if (m->count != count) break;
        munmap(m->addr, (size_t)count * SHM_PAGE);
        for (uint32_t i = 0; i < count; i++) unpin_grant(m->refs[i], !m->readonly);
        *p = m->next;
        h->mapped -= count;
        free(m->refs);
        free(m);
        pthread_mutex_unlock(&lock);
        return 0;
    }
    pthread_mutex_unlock(&lock);
    say("unmap of %p (%u pages): no such mapping", start, count);
    errno = EINVAL;
    return -1;
}

EXPORT int xengnttab_grant_copy(xengnttab_handle *h, uint32_t count, xengnttab_grant_copy_segment_t *segs)
{
    (void)h;
    if (getenv("XENVBD_NO_GRANT_COPY")) { errno = ENOSYS; return -1; }
    pthread_mutex_lock(&lock);
    for (uint32_t i = 0; i < count; i++) {
        xengnttab_grant_copy_segment_t *s = &segs[i];
        bool src_gref = (s->flags & GNTCOPY_source_gref) != 0, dst_gref = (s->flags & GNTCOPY_dest_gref) != 0;
        uint8_t *src = s->source.virt, *dst = s->dest.virt, *page;
        s->status = GNTST_okay;
        if ((src_gref && s->source.foreign.domid != front_domid) || (dst_gref && s->dest.foreign.domid != front_domid)) { s->status = GNTST_bad_domain; continue; }
        if ((src_gref && (uint32_t)s->source.foreign.offset + s->len > SHM_PAGE) || (dst_gref && (uint32_t)s->dest.foreign.offset + s->len > SHM_PAGE)) { s->status = GNTST_bad_copy_arg; continue; }
        if (src_gref) {
            int st = pin_grant(s->source.foreign.ref, false, &page);
            if (st != GNTST_okay) { s->status = (int16_t)st; continue; }
            src = page + s->source.foreign.offset;
        }
        if (dst_gref) {
            int st = pin_grant(s->dest.foreign.ref, true, &page);
            if (st != GNTST_okay) {
                if (src_gref) unpin_grant(s->source.foreign.ref, false);
                s->status = (int16_t)st;
                continue;
            }
            dst = page + s->dest.foreign.offset;
        }
        memmove(dst, src, s->len);
        if (src_gref) unpin_grant(s->source.foreign.ref, false);
        if (dst_gref) unpin_grant(s->dest.foreign.ref, true);
        if (s->status != GNTST_okay || trace) TRACE("copy %u: %s ref %u, %u bytes", i, dst_gref ? "to" : "from", dst_gref ? s->dest.foreign.ref : s->source.foreign.ref, s->len);
    }
    pthread_mutex_unlock(&lock);
    return 0;
}

/* ---------------------------------------------------------------- libxenevtchn */

EXPORT xenevtchn_handle *xenevtchn_open(struct xentoollog_logger *logger, unsigned open_flags)
{
    (void)logger; (void)open_flags;
    ensure_init();
    xenevtchn_handle *h = calloc(1, sizeof *h);
    if (!h) return NULL;
    if (pipe2(h->pipe, O_CLOEXEC | O_NONBLOCK) != 0) { free(h); return NULL; }
    return h;
}

EXPORT int xenevtchn_close(xenevtchn_handle *h)
{
    if (!h) return 0;
    pthread_mutex_lock(&lock);
    if (chan.h == h) memset(&chan, 0, sizeof chan);
    pthread_mutex_unlock(&lock);
    close(h->pipe[0]);
    close(h->pipe[1]);
    free(h);
    return 0;
}

EXPORT int xenevtchn_fd(xenevtchn_handle *h) { return h->pipe[0]; }

EXPORT xenevtchn_port_or_error_t xenevtchn_bind_interdomain(xenevtchn_handle *h, uint32_t domid, evtchn_port_t remote_port)
{
    pthread_mutex_lock(&lock);
    /* The frontend allocated an unbound port for us and published it as event-channel. */
    unsigned long published = key_number(front_dir, "event-channel", 0);
    if (domid != front_domid || remote_port == 0 || remote_port != published || chan.bound) {
        pthread_mutex_unlock(&lock);
        say("bind_interdomain(domain %u, port %u) refused: the frontend offers port %lu to domain %u%s", domid, remote_port, published, back_domid, chan.bound ? " (already bound)" : "");
        errno = EINVAL;
        return -1;
    }
    chan.h = h;
    chan.local = next_port++;
    chan.remote = remote_port;
    chan.bound = true;
    chan.masked = false;
    chan.pending = false;
    seen_f2b = shm_get32(&shm, SHM_OFF_EVT_F2B);
    evtchn_port_t local = chan.local;
    pthread_mutex_unlock(&lock);
    TRACE("bound local port %u to domain %u port %u", local, domid, remote_port);
    return (xenevtchn_port_or_error_t)local;
}

EXPORT int xenevtchn_unbind(xenevtchn_handle *h, evtchn_port_t port)
{
    pthread_mutex_lock(&lock);
    bool ok = chan.bound && chan.h == h && chan.local == port;
    if (ok) {
        chan.bound = false;
        say("events: %llu in, %llu out (%llu delayed, %llu dropped)", (unsigned long long)events_in, (unsigned long long)events_out,
            (unsigned long long)events_delayed, (unsigned long long)events_dropped);
    }
    pthread_mutex_unlock(&lock);
    if (!ok) errno = EINVAL;
    return ok ? 0 : -1;
}

EXPORT int xenevtchn_notify(xenevtchn_handle *h, evtchn_port_t port)
{
    pthread_mutex_lock(&lock);
    bool ok = chan.bound && chan.h == h && chan.local == port;
    if (ok) {
        events_out++;
        if (drop_percent > 0 && (int)rng_below(100) < drop_percent) events_dropped++;
        else if (b2f_owed) b2f_owed++;    /* one already waiting: this one arrives with it */
        else {
            uint64_t d = schedule_delay_us();
            if (d) { b2f_owed = 1; b2f_due = now_us() + d; }
            else shm_notify(&shm, SHM_OFF_EVT_B2F);
        }
    }
    pthread_mutex_unlock(&lock);
    if (!ok) errno = EINVAL;
    return ok ? 0 : -1;
}

EXPORT xenevtchn_port_or_error_t xenevtchn_pending(xenevtchn_handle *h)
{
    evtchn_port_t port;
    if (read(h->pipe[0], &port, sizeof port) != (ssize_t)sizeof port) { errno = EAGAIN; return -1; }
    return (xenevtchn_port_or_error_t)port;
}

EXPORT int xenevtchn_unmask(xenevtchn_handle *h, evtchn_port_t port)
{
    pthread_mutex_lock(&lock);
    bool ok = chan.bound && chan.h == h && chan.local == port;
    if (ok) {
        chan.masked = false;
        if (chan.pending) {
            chan.pending = false;
            chan.masked = true;
            if (write(h->pipe[1], &port, sizeof port) != (ssize_t)sizeof port) fatal("event pipe: %s", strerror(errno));
        }
    }
    pthread_mutex_unlock(&lock);
    if (!ok) errno = EINVAL;
    return ok ? 0 : -1;
}

/* ---------------------------------------------------------------- the rest of the toolstack libraries */

struct dummy_handle { int unused; };

EXPORT void *xc_interface_open(void *logger, void *dombuild_logger, unsigned open_flags)
{
    (void)logger; (void)dombuild_logger; (void)open_flags;
    ensure_init();
    return calloc(1, sizeof(struct dummy_handle));
}
EXPORT int xc_interface_close(void *h) { free(h); return 0; }
EXPORT void *xenforeignmemory_open(void *logger, unsigned open_flags) { (void)logger; (void)open_flags; ensure_init(); return calloc(1, sizeof(struct dummy_handle)); }
EXPORT int xenforeignmemory_close(void *h) { free(h); return 0; }
EXPORT void *xendevicemodel_open(void *logger, unsigned open_flags) { (void)logger; (void)open_flags; ensure_init(); return calloc(1, sizeof(struct dummy_handle)); }
EXPORT int xendevicemodel_close(void *h) { free(h); return 0; }
EXPORT int xentoolcore_restrict_all(uint32_t domid) { (void)domid; return 0; }

/* Imported by QEMU but outside a PV backend's path: say so and fail, rather than reach real Xen. */
#define NOT_MODELLED_INT(name) \
    EXPORT int name(void) { say(#name " is not modelled by this stand-in"); errno = ENOSYS; return -1; }
#define NOT_MODELLED_PTR(name) \
    EXPORT void *name(void) { say(#name " is not modelled by this stand-in"); errno = ENOSYS; return NULL; }

NOT_MODELLED_INT(xc_domain_bind_pt_pci_irq)
NOT_MODELLED_INT(xc_domain_iomem_permission)
NOT_MODELLED_INT(xc_domain_ioport_mapping)
NOT_MODELLED_INT(xc_domain_memory_mapping)
NOT_MODELLED_INT(xc_domain_populate_physmap_exact)
NOT_MODELLED_INT(xc_domain_shutdown)
NOT_MODELLED_INT(xc_domain_unbind_msi_irq)
NOT_MODELLED_INT(xc_domain_unbind_pt_irq)
NOT_MODELLED_INT(xc_domain_update_msi_irq)
NOT_MODELLED_INT(xc_get_hvm_param)
NOT_MODELLED_INT(xc_physdev_map_pirq)
NOT_MODELLED_INT(xc_physdev_map_pirq_msi)
NOT_MODELLED_INT(xc_physdev_unmap_pirq)
NOT_MODELLED_INT(xc_set_hvm_param)
NOT_MODELLED_INT(xendevicemodel_create_ioreq_server)
NOT_MODELLED_INT(xendevicemodel_destroy_ioreq_server)
NOT_MODELLED_INT(xendevicemodel_get_ioreq_server_info)
NOT_MODELLED_INT(xendevicemodel_inject_msi)
NOT_MODELLED_INT(xendevicemodel_map_io_range_to_ioreq_server)
NOT_MODELLED_INT(xendevicemodel_map_pcidev_to_ioreq_server)
NOT_MODELLED_INT(xendevicemodel_modified_memory)
NOT_MODELLED_INT(xendevicemodel_pin_memory_cacheattr)
NOT_MODELLED_INT(xendevicemodel_relocate_memory)
NOT_MODELLED_INT(xendevicemodel_set_ioreq_server_state)
NOT_MODELLED_INT(xendevicemodel_set_isa_irq_level)
NOT_MODELLED_INT(xendevicemodel_set_mem_type)
NOT_MODELLED_INT(xendevicemodel_set_pci_intx_level)
NOT_MODELLED_INT(xendevicemodel_set_pci_link_route)
NOT_MODELLED_INT(xendevicemodel_shutdown)
NOT_MODELLED_INT(xendevicemodel_track_dirty_vram)
NOT_MODELLED_INT(xendevicemodel_unmap_io_range_from_ioreq_server)
NOT_MODELLED_INT(xendevicemodel_unmap_pcidev_from_ioreq_server)
NOT_MODELLED_PTR(xenforeignmemory_map)
NOT_MODELLED_PTR(xenforeignmemory_map2)
NOT_MODELLED_PTR(xenforeignmemory_map_resource)
NOT_MODELLED_INT(xenforeignmemory_unmap)
NOT_MODELLED_INT(xenforeignmemory_unmap_resource)

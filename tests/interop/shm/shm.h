/*
 * shm.h - the shared-memory file (docs/shared-memory.md) as the C peers see it.
 *
 * Offsets match XenVbd.Core/Transport/ShmLayout.cs; `shm_back layout` prints them so run.sh can
 * compare them with the C# side. Header fields are read and written through volatile/atomic
 * accessors because the peer is another process; the ring itself is used through ring.h.
 */
#ifndef XENVBD_SHM_H
#define XENVBD_SHM_H

#include "../common.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define SHM_MAGIC 0x4D534442564E4558ULL /* "XENVBDSM" little-endian */
#define SHM_VERSION 2u
#define SHM_PAGE 4096u
#define SHM_HEADER_SIZE 4096u
#define SHM_MAX_RING_REFS 16
#define SHM_ABI_LEN 16

#define SHM_OFF_MAGIC 0
#define SHM_OFF_VERSION 8
#define SHM_OFF_HEADER_SIZE 12
#define SHM_OFF_FILE_SIZE 16
#define SHM_OFF_PAGE_SIZE 24
#define SHM_OFF_MAX_RING_ORDER 28
#define SHM_OFF_ABI 32
#define SHM_OFF_FRONT_DOMID 48
#define SHM_OFF_BACK_DOMID 52
#define SHM_OFF_GUEST_OFFSET 56
#define SHM_OFF_GUEST_LENGTH 64
#define SHM_OFF_GRANT_OFFSET 72
#define SHM_OFF_GRANT_ENTRIES 80
#define SHM_OFF_RING_OFFSET 88
#define SHM_OFF_RING_LENGTH 96
#define SHM_OFF_DATA_OFFSET 104
#define SHM_OFF_DATA_LENGTH 112
#define SHM_OFF_EVT_F2B 128
#define SHM_OFF_EVT_B2F 192
#define SHM_OFF_FRONT_STATE 256
#define SHM_OFF_FRONT_RING_ORDER 260
#define SHM_OFF_FRONT_PID 264
#define SHM_OFF_FRONT_PORT 268
#define SHM_OFF_FRONT_PROTOCOL 272
#define SHM_OFF_FRONT_RING_REF 288
#define SHM_OFF_BACK_STATE 512
#define SHM_OFF_BACK_MAX_RING_ORDER 516
#define SHM_OFF_BACK_SECTORS 520
#define SHM_OFF_BACK_SECTOR_SIZE 528
#define SHM_OFF_BACK_PHYS_SECTOR_SIZE 532
#define SHM_OFF_BACK_INFO 536
#define SHM_OFF_BACK_FEATURES 540
#define SHM_OFF_BACK_NATIVE_ABI 544
#define SHM_OFF_BACK_CHOSEN_ABI 560
#define SHM_OFF_BACK_MAX_INDIRECT 576
#define SHM_OFF_BACK_PID 580
#define SHM_OFF_BACK_REQUESTS 584

/* Key areas (version 2): each side's XenStore keys as "name=value\n" lines; a key not listed was
 * not written. u32 sequence @+0 (odd while being written), u32 text length @+4, text @+8. */
#define SHM_OFF_FRONT_KEYS 1024
#define SHM_OFF_BACK_KEYS 2560
#define SHM_KEYS_SIZE 1536u
#define SHM_KEYS_TEXT 8u
#define SHM_KEYS_CAPACITY (SHM_KEYS_SIZE - SHM_KEYS_TEXT)

#define SHM_FEATURE_FLUSH 1u
#define SHM_FEATURE_BARRIER 2u
#define SHM_FEATURE_DISCARD 4u

/* XenbusState numbers (xen/io/xenbus.h). */
#define SHM_XB_INITIALISING 1u
#define SHM_XB_INITWAIT 2u
#define SHM_XB_INITIALISED 3u
#define SHM_XB_CONNECTED 4u
#define SHM_XB_CLOSING 5u
#define SHM_XB_CLOSED 6u

struct shm_map {
    uint8_t *base;
    size_t length;
    int fd;
};

/* v1 grant entry as grant_table.h lays it out: flags u16, domid u16, frame u32. */
struct shm_grant_v1 {
    uint16_t flags;
    uint16_t domid;
    uint32_t frame;
};

static inline volatile uint32_t *shm_u32p(const struct shm_map *m, size_t off) { return (volatile uint32_t *)(m->base + off); }
static inline uint32_t shm_get32(const struct shm_map *m, size_t off) { return __atomic_load_n((uint32_t *)(m->base + off), __ATOMIC_ACQUIRE); }
static inline void shm_set32(const struct shm_map *m, size_t off, uint32_t v) { __atomic_store_n((uint32_t *)(m->base + off), v, __ATOMIC_RELEASE); }
/* 64-bit fields are written before the peer looks (or only by one side): two halves are fine. */
static inline uint64_t shm_get64(const struct shm_map *m, size_t off)
{
    return (uint64_t)shm_get32(m, off) | ((uint64_t)shm_get32(m, off + 4) << 32);
}
static inline void shm_set64(const struct shm_map *m, size_t off, uint64_t v)
{
    shm_set32(m, off, (uint32_t)v);
    shm_set32(m, off + 4, (uint32_t)(v >> 32));
}
static inline void shm_get_str(const struct shm_map *m, size_t off, char out[SHM_ABI_LEN + 1])
{
    memcpy(out, m->base + off, SHM_ABI_LEN);
    out[SHM_ABI_LEN] = '\0';
}
static inline void shm_set_str(const struct shm_map *m, size_t off, const char *s)
{
    char buf[SHM_ABI_LEN];
    memset(buf, 0, sizeof buf);
    strncpy(buf, s, SHM_ABI_LEN - 1);
    memcpy(m->base + off, buf, SHM_ABI_LEN);
}
/* EVTCHNOP_send: one more event for the peer. */
static inline void shm_notify(const struct shm_map *m, size_t counter_off)
{
    __atomic_fetch_add((uint32_t *)(m->base + counter_off), 1u, __ATOMIC_SEQ_CST);
}

static inline uint64_t shm_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* The wait between polls: yield a few times, then sleep 20 us (no futex: portable to any mapping). */
static inline void shm_pause(unsigned *spins)
{
    if (++*spins < 64) { sched_yield(); return; }
    struct timespec ts = { 0, 20000 };
    nanosleep(&ts, NULL);
}

/* Waits until 32-bit field off differs from old (an event) or until deadline; returns 1 on change. */
static inline int shm_wait_change(const struct shm_map *m, size_t off, uint32_t old, uint64_t deadline_ms)
{
    unsigned spins = 0;
    while (shm_get32(m, off) == old) {
        if (shm_now_ms() > deadline_ms) return 0;
        shm_pause(&spins);
    }
    return 1;
}

static inline int shm_map_fd(struct shm_map *m, int fd, size_t length)
{
    void *p = mmap(NULL, length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) return -1;
    m->base = p;
    m->length = length;
    m->fd = fd;
    return 0;
}

static inline void shm_unmap(struct shm_map *m)
{
    if (m->base) munmap(m->base, m->length);
    if (m->fd >= 0) close(m->fd);
    m->base = NULL;
    m->fd = -1;
}

/*
 * Opens a file the other side created, waiting up to timeout_ms for it to appear with its magic
 * (the creator writes the magic last), then checks version, sizes and region bounds.
 * Returns 0, or -1 with a message in err naming the field.
 */
static inline int shm_open_existing(struct shm_map *m, const char *path, unsigned timeout_ms, char *err, size_t errlen)
{
    uint64_t deadline = shm_now_ms() + timeout_ms;
    unsigned spins = 0;
    m->base = NULL;
    m->fd = -1;
    for (;;) {
        int fd = open(path, O_RDWR);
        if (fd >= 0) {
            struct stat st;
            uint64_t magic = 0;
            if (fstat(fd, &st) == 0 && st.st_size >= (off_t)(2 * SHM_PAGE) &&
                pread(fd, &magic, sizeof magic, 0) == (ssize_t)sizeof magic && magic == SHM_MAGIC) {
                if ((uint64_t)st.st_size > (uint64_t)SIZE_MAX / 2) { close(fd); snprintf(err, errlen, "file_size: %lld bytes is too large to map", (long long)st.st_size); return -1; }
                if (shm_map_fd(m, fd, (size_t)st.st_size) != 0) { snprintf(err, errlen, "mmap: %s", strerror(errno)); close(fd); return -1; }
                break;
            }
            close(fd);
        }
        if (shm_now_ms() > deadline) { snprintf(err, errlen, "magic: %s did not appear with its magic within %u ms", path, timeout_ms); return -1; }
        shm_pause(&spins);
    }
    if (shm_get32(m, SHM_OFF_VERSION) != SHM_VERSION) { snprintf(err, errlen, "version: %u is not %u", shm_get32(m, SHM_OFF_VERSION), SHM_VERSION); return -1; }
    if (shm_get32(m, SHM_OFF_HEADER_SIZE) != SHM_HEADER_SIZE) { snprintf(err, errlen, "header_size: %u", shm_get32(m, SHM_OFF_HEADER_SIZE)); return -1; }
    if (shm_get32(m, SHM_OFF_PAGE_SIZE) != SHM_PAGE) { snprintf(err, errlen, "page_size: %u is not 4096", shm_get32(m, SHM_OFF_PAGE_SIZE)); return -1; }
    if (shm_get64(m, SHM_OFF_FILE_SIZE) != (uint64_t)m->length) { snprintf(err, errlen, "file_size: header says %llu, file has %llu", (unsigned long long)shm_get64(m, SHM_OFF_FILE_SIZE), (unsigned long long)m->length); return -1; }
    uint64_t go = shm_get64(m, SHM_OFF_GUEST_OFFSET), gl = shm_get64(m, SHM_OFF_GUEST_LENGTH);
    if (go % SHM_PAGE || gl % SHM_PAGE || go < SHM_HEADER_SIZE || go > m->length || gl > m->length - go || gl == 0) { snprintf(err, errlen, "guest_offset: region [%llu,+%llu) is bad", (unsigned long long)go, (unsigned long long)gl); return -1; }
    uint64_t gto = shm_get64(m, SHM_OFF_GRANT_OFFSET);
    uint64_t gtl = (uint64_t)shm_get32(m, SHM_OFF_GRANT_ENTRIES) * sizeof(struct shm_grant_v1);
    if (gto % SHM_PAGE || gto < go || gto > go + gl || gtl > go + gl - gto || gtl == 0) { snprintf(err, errlen, "grant_offset: region bad"); return -1; }
    if (shm_get32(m, SHM_OFF_MAX_RING_ORDER) > INTEROP_MAX_ORDER) { snprintf(err, errlen, "ring_page_order: %u", shm_get32(m, SHM_OFF_MAX_RING_ORDER)); return -1; }
    return 0;
}

/* A grant ref's page, checked as the hypervisor would for `mapper`: NULL (and a reason) if refused. */
static inline uint8_t *shm_map_grant(const struct shm_map *m, uint32_t gref, uint16_t mapper, int writable, const char **why)
{
    uint32_t entries = shm_get32(m, SHM_OFF_GRANT_ENTRIES);
    uint64_t go = shm_get64(m, SHM_OFF_GUEST_OFFSET), gl = shm_get64(m, SHM_OFF_GUEST_LENGTH);
    if (gref < 8 || gref >= entries) { *why = "gref out of range"; return NULL; }
    volatile struct shm_grant_v1 *e = (volatile struct shm_grant_v1 *)(m->base + shm_get64(m, SHM_OFF_GRANT_OFFSET)) + gref;
    uint16_t flags = e->flags;
    __sync_synchronize();
    if (!(flags & GTF_permit_access)) { *why = "grant not active"; return NULL; }
    if (e->domid != mapper) { *why = "grant is for another domain"; return NULL; }
    if (writable && (flags & GTF_readonly)) { *why = "grant is read-only"; return NULL; }
    uint32_t frame = e->frame;
    if ((uint64_t)frame >= gl / SHM_PAGE) { *why = "frame outside guest memory"; return NULL; }
    return m->base + go + (uint64_t)frame * SHM_PAGE;
}

/*
 * Replaces a key area (SHM_OFF_FRONT_KEYS / SHM_OFF_BACK_KEYS) with `text` ("name=value\n" lines).
 * Seqlock: the sequence is odd while the text changes. Returns -1 if the text does not fit.
 */
static inline int shm_keys_write(const struct shm_map *m, size_t area, const char *text)
{
    size_t n = strlen(text);
    if (n > SHM_KEYS_CAPACITY) return -1;
    __atomic_fetch_add((uint32_t *)(m->base + area), 1u, __ATOMIC_SEQ_CST);
    memset(m->base + area + SHM_KEYS_TEXT, 0, SHM_KEYS_CAPACITY);
    memcpy(m->base + area + SHM_KEYS_TEXT, text, n);
    shm_set32(m, area + 4, (uint32_t)n);
    __atomic_fetch_add((uint32_t *)(m->base + area), 1u, __ATOMIC_SEQ_CST);
    return 0;
}

/* Appends "name=value\n" to buf (of size cap); returns -1 when it does not fit. */
static inline int shm_keys_add(char *buf, size_t cap, const char *name, const char *fmt, ...)
{
    size_t used = strlen(buf);
    int k = snprintf(buf + used, cap - used, "%s=", name);
    if (k < 0 || (size_t)k >= cap - used) return -1;
    used += (size_t)k;
    va_list ap;
    va_start(ap, fmt);
    k = vsnprintf(buf + used, cap - used, fmt, ap);
    va_end(ap);
    if (k < 0 || (size_t)k + 1 >= cap - used) return -1;
    buf[used + (size_t)k] = '\n';
    buf[used + (size_t)k + 1] = '\0';
    return 0;
}

/* A consistent copy of a key area's text (NUL-terminated, SHM_KEYS_CAPACITY + 1 bytes); returns its sequence. */
static inline uint32_t shm_keys_snapshot(const struct shm_map *m, size_t area, char *out)
{
    for (;;) {
        uint32_t before = shm_get32(m, area);
        if (!(before & 1u)) {
            uint32_t n = shm_get32(m, area + 4);
            if (n > SHM_KEYS_CAPACITY) n = SHM_KEYS_CAPACITY;
            memcpy(out, m->base + area + SHM_KEYS_TEXT, n);
            out[n] = '\0';
            __atomic_thread_fence(__ATOMIC_SEQ_CST);
            if (shm_get32(m, area) == before) return before;
        }
        sched_yield();
    }
}

/* Looks a key up in a snapshot; copies its value (NUL-terminated) and returns 1, or 0 when absent. */
static inline int shm_keys_get(const char *text, const char *name, char *value, size_t cap)
{
    size_t nl = strlen(name);
    for (const char *p = text; *p; ) {
        const char *end = strchr(p, '\n');
        if (!end) return 0;
        if ((size_t)(end - p) > nl && strncmp(p, name, nl) == 0 && p[nl] == '=') {
            size_t vl = (size_t)(end - p) - nl - 1;
            if (vl >= cap) vl = cap - 1;
            memcpy(value, p + nl + 1, vl);
            value[vl] = '\0';
            return 1;
        }
        p = end + 1;
    }
    return 0;
}

/* The layout rows both sides print: `shm.<field> <offset>`. */
static inline void shm_print_layout(void)
{
#define ROW(name, off) printf("shm.%s %u\n", name, (unsigned)(off))
    ROW("magic", SHM_OFF_MAGIC); ROW("version", SHM_OFF_VERSION); ROW("header_size", SHM_OFF_HEADER_SIZE);
    ROW("file_size", SHM_OFF_FILE_SIZE); ROW("page_size", SHM_OFF_PAGE_SIZE); ROW("ring_page_order", SHM_OFF_MAX_RING_ORDER);
    ROW("abi", SHM_OFF_ABI); ROW("frontend_domid", SHM_OFF_FRONT_DOMID); ROW("backend_domid", SHM_OFF_BACK_DOMID);
    ROW("guest_offset", SHM_OFF_GUEST_OFFSET); ROW("guest_length", SHM_OFF_GUEST_LENGTH); ROW("grant_offset", SHM_OFF_GRANT_OFFSET);
    ROW("grant_entries", SHM_OFF_GRANT_ENTRIES); ROW("ring_offset", SHM_OFF_RING_OFFSET); ROW("ring_length", SHM_OFF_RING_LENGTH);
    ROW("data_offset", SHM_OFF_DATA_OFFSET); ROW("data_length", SHM_OFF_DATA_LENGTH);
    ROW("evt_front_to_back", SHM_OFF_EVT_F2B); ROW("evt_back_to_front", SHM_OFF_EVT_B2F);
    ROW("front_state", SHM_OFF_FRONT_STATE); ROW("front_ring_order", SHM_OFF_FRONT_RING_ORDER); ROW("front_pid", SHM_OFF_FRONT_PID);
    ROW("front_event_port", SHM_OFF_FRONT_PORT); ROW("front_protocol", SHM_OFF_FRONT_PROTOCOL); ROW("front_ring_ref", SHM_OFF_FRONT_RING_REF);
    ROW("back_state", SHM_OFF_BACK_STATE); ROW("back_max_ring_order", SHM_OFF_BACK_MAX_RING_ORDER); ROW("back_sectors", SHM_OFF_BACK_SECTORS);
    ROW("back_sector_size", SHM_OFF_BACK_SECTOR_SIZE); ROW("back_physical_sector_size", SHM_OFF_BACK_PHYS_SECTOR_SIZE);
    ROW("back_info", SHM_OFF_BACK_INFO); ROW("back_features", SHM_OFF_BACK_FEATURES); ROW("back_native_abi", SHM_OFF_BACK_NATIVE_ABI);
    ROW("back_chosen_abi", SHM_OFF_BACK_CHOSEN_ABI); ROW("back_max_indirect", SHM_OFF_BACK_MAX_INDIRECT); ROW("back_pid", SHM_OFF_BACK_PID);
    ROW("back_requests", SHM_OFF_BACK_REQUESTS);
    ROW("front_keys", SHM_OFF_FRONT_KEYS); ROW("back_keys", SHM_OFF_BACK_KEYS); ROW("keys_size", SHM_KEYS_SIZE);
    printf("shm.magic_value %llu\n", (unsigned long long)SHM_MAGIC);
    printf("shm.version_value %u\n", SHM_VERSION);
#undef ROW
}

#endif

/*
 * realfront.c - the U-Boot guest: boots U-Boot's real pvblock driver (drivers/xen/pvblock.c,
 * compiled unchanged) on the compat layer and drives it through U-Boot's block API (the blk_ops
 * the driver registers), checking every byte against the disk image the backend serves.
 *
 *   realfront <shm-file> <image> <io|readonly|4k|bug> [timeout_ms]
 *
 *   io        toolstack mode "w": handshake, writes and reads of several sizes and alignments
 *             (the driver splits at 11 pages and bounces buffers that are not sector-aligned one
 *             sector at a time), every write compared in the image file, every read with what
 *             was written, then the driver's own shutdown (sync, Closing, Closed, Initialising).
 *   readonly  toolstack mode "r", backend read-only: reads work, a write is refused by the backend
 *             and the driver still returns the block count (it only prints the error).
 *   4k        the backend's disk has 4096-byte logical sectors: the driver takes `sectors` (512-byte
 *             units) as its count of 4096-byte blocks and puts sector numbers and segment sectors
 *             in 4096-byte units on the ring, so blkback refuses its write as misaligned.
 *   bug       a sector-aligned buffer that is not page-aligned with 88 blocks spans 12 pages:
 *             blkfront_aio's BUG_ON(n > BLKIF_MAX_SEGMENTS_PER_REQUEST) must fire.
 *
 * Output: PASS/FAIL lines (counted by run.sh), OBSERVED lines (what the frontend did, not counted).
 * The driver's own console output (U-Boot's printf) is interleaved as it happens.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <dm.h>
#include <dm/device-internal.h>
#include <blk.h>
#include <asm/global_data.h>

#include "compat/realfront.h"

void pvblock_init(void);
struct udevice *rf_dm_root(void);
extern void (*rf_panic_hook)(const char *what);

#define DEVID 51712u /* xvda */
#define SECTOR 512u
#define DATA_PAGES 256u
#if defined(__x86_64__)
#define ABI "x86_64-abi"
#else
#define ABI "x86_32-abi"
#endif

static const char *plan;
static const char *phase = "start";
static unsigned passed, failed;
static int image_fd = -1;
static uint8_t *shadow;
static uint64_t image_bytes;
static struct udevice *blk;
static const struct blk_ops *ops;
static uint8_t *arena; /* guest memory the I/O buffers are carved from */
#define ARENA_BYTES (200u * 1024u)

static void check(int ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void check(int ok, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("%s realfront u-boot %s %s: ", ok ? "PASS" : "FAIL", ABI, plan);
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    fflush(stdout);
    if (ok) passed++; else failed++;
}

static void observed(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void observed(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("OBSERVED u-boot %s %s: ", ABI, plan);
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
}

static void on_alarm(int sig)
{
    (void)sig;
    static const char msg[] = "FAIL realfront u-boot: timed out; the driver is stuck in ";
    if (write(1, msg, sizeof msg - 1) < 0) {}
    if (write(1, phase, strlen(phase)) < 0) {}
    if (write(1, "\n", 1) < 0) {}
    rf_toolstack_destroy_domain();
    _exit(1);
}

static void on_panic(const char *what)
{
    if (strcmp(plan, "bug") == 0 && strcmp(phase, "bug read") == 0) {
        check(1, "a %u-block read into a buffer at page offset 512 spans 12 pages and hits BUG_ON(n > BLKIF_MAX_SEGMENTS_PER_REQUEST) in blkfront_aio (%s)", 88u, what);
        printf("realfront: %u passed, %u failed\n", passed, failed);
        fflush(stdout);
        rf_toolstack_destroy_domain();
        exit(failed ? 1 : 0);
    }
    check(0, "the driver panicked (%s) during %s", what, phase);
}

/* The byte at disk offset `off` after write generation `gen` (0 = the image as prepared). */
static uint8_t pattern(uint64_t off, unsigned gen)
{
    uint64_t x = off * 0x9E3779B97F4A7C15ull + gen * 0xC2B2AE3D27D4EB4Full;
    x ^= x >> 29;
    return (uint8_t)(x ^ (x >> 17) ^ gen);
}

static void prepare_image(const char *path)
{
    image_fd = open(path, O_RDWR);
    struct stat st;
    if (image_fd < 0 || fstat(image_fd, &st) != 0 || st.st_size <= 0 || st.st_size % SECTOR) {
        printf("FAIL realfront: image %s missing or not a multiple of %u bytes\n", path, SECTOR);
        exit(1);
    }
    image_bytes = (uint64_t)st.st_size;
    shadow = malloc(image_bytes);
    for (uint64_t i = 0; i < image_bytes; i++) shadow[i] = pattern(i, 0);
    if (pwrite(image_fd, shadow, image_bytes, 0) != (ssize_t)image_bytes) { printf("FAIL realfront: writing %s\n", path); exit(1); }
}

static int image_matches(uint64_t off, uint64_t len, uint64_t *bad)
{
    uint8_t buf[4096];
    for (uint64_t done = 0; done < len;) {
        size_t n = len - done < sizeof buf ? (size_t)(len - done) : sizeof buf;
        if (pread(image_fd, buf, n, (off_t)(off + done)) != (ssize_t)n) { *bad = off + done; return 0; }
        for (size_t i = 0; i < n; i++) if (buf[i] != shadow[off + done + i]) { *bad = off + done + i; return 0; }
        done += n;
    }
    return 1;
}

static unsigned gen = 1;

/* One write through U-Boot's block API from a buffer at `misalign` bytes into a page. */
static void do_write(lbaint_t lba, lbaint_t count, unsigned misalign)
{
    uint8_t *buf = arena + misalign;
    uint64_t off = (uint64_t)lba * SECTOR, len = (uint64_t)count * SECTOR;
    unsigned g = gen++;
    for (uint64_t i = 0; i < len; i++) buf[i] = pattern(off + i, g);
    phase = "write";
    unsigned live = rf_stats.grants_live;
    unsigned long r = ops->write(blk, lba, count, buf);
    memcpy(shadow + off, buf, len);
    uint64_t bad = 0;
    int same = image_matches(off, len, &bad);
    check(r == count && same && rf_stats.grants_live == live,
          "write %lu block(s) at lba %lu from a buffer %u bytes into a page: returned %lu, image %s, grants back to %u",
          (unsigned long)count, (unsigned long)lba, misalign, r, same ? "holds every byte" : "differs", rf_stats.grants_live);
    if (!same) printf("  first difference at image byte %llu\n", (unsigned long long)bad);
}

static void do_read(lbaint_t lba, lbaint_t count, unsigned misalign)
{
    uint8_t *buf = arena + misalign;
    uint64_t off = (uint64_t)lba * SECTOR, len = (uint64_t)count * SECTOR;
    memset(buf, 0xEE, len);
    phase = "read";
    unsigned live = rf_stats.grants_live;
    unsigned long r = ops->read(blk, lba, count, buf);
    uint64_t bad = len;
    for (uint64_t i = 0; i < len; i++) if (buf[i] != shadow[off + i]) { bad = i; break; }
    check(r == count && bad == len && rf_stats.grants_live == live,
          "read %lu block(s) at lba %lu into a buffer %u bytes into a page: returned %lu, %s",
          (unsigned long)count, (unsigned long)lba, misalign, r, bad == len ? "every byte as written" : "bytes differ");
    if (bad != len) printf("  first difference at byte %llu of the read\n", (unsigned long long)bad);
}

static void boot(const char *shm_path, const char *mode, unsigned timeout_ms)
{
    phase = "toolstack";
    rf_guest_create(shm_path, DATA_PAGES);
    rf_toolstack_add_disk(DEVID, mode);
    if (rf_toolstack_wait_backend(timeout_ms) != 0) {
        check(0, "the backend did not reach InitWait within %u ms (state %u)", timeout_ms, rf_back_state());
        rf_toolstack_destroy_domain();
        exit(1);
    }
    phase = "pvblock_init";
    gd->dm_root = rf_dm_root();
    pvblock_init();
    blk_first_device(UCLASS_PVBLOCK, &blk);
    int up = blk && (blk->flags & DM_FLAG_ACTIVATED);
    check(up, "pvblock_init bound and probed %s (init_blkfront %s)", blk ? blk->name : "no device", up ? "connected" : "failed");
    if (!up) { rf_toolstack_destroy_domain(); exit(1); }
    ops = blk->driver->ops;
    struct blk_desc *desc = dev_get_uclass_plat(blk);
    if (strcmp(plan, "4k") == 0)
        check(desc->lba == image_bytes / SECTOR && desc->blksz == 4096,
              "disk %lu blocks of %lu bytes for a %llu-byte image: pvblock_blk_probe takes `sectors` (512-byte units) as a count of sector-size blocks",
              (unsigned long)desc->lba, desc->blksz, (unsigned long long)image_bytes);
    else
        check(desc->lba == image_bytes / SECTOR && desc->blksz == SECTOR,
              "disk %lu blocks of %lu bytes (image %llu bytes)", (unsigned long)desc->lba, desc->blksz, (unsigned long long)image_bytes);
    char *proto = NULL;
    char path[64];
    snprintf(path, sizeof path, "device/vbd/%u/protocol", DEVID);
    int err = rf_xs_read(0, path, &proto);
    check(err == 0 && strcmp(proto, ABI) == 0, "protocol key %s (its native layout)", err ? "not written" : proto);
    free(proto);
    check(rf_front_state() == 4 && rf_back_state() == 4, "both ends Connected (frontend %u, backend %u)", rf_front_state(), rf_back_state());
    check(strcmp(rf_stats.states, "4") == 0, "frontend state writes so far: %s (Initialising -> Connected in one transaction, no Initialised)", rf_stats.states);
    /* What the backend's directory said, absent included: the driver reads these after Connected. */
    static const char *const keys[] = { "mode", "info", "sectors", "sector-size", "feature-barrier", "feature-flush-cache",
                                        "feature-max-indirect-segments", "max-ring-page-order", "feature-discard", "feature-persistent" };
    char said[512] = "";
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        char *v = NULL;
        snprintf(path, sizeof path, "backend/vbd/%u/%u/%s", RF_FRONT_DOMID, DEVID, keys[i]);
        int e = rf_xs_read(0, path, &v);
        size_t l = strlen(said);
        snprintf(said + l, sizeof said - l, "%s%s=%s", l ? " " : "", keys[i], e ? "absent" : v);
        free(v);
    }
    observed("backend directory: %s", said);
    observed("keys written: %s", rf_stats.keys_written);
    observed("keys read: %s", rf_stats.keys_read);
    arena = guest_memalign(4096, ARENA_BYTES);
    if (!arena) { check(0, "no guest memory for the I/O buffers"); exit(1); }
}

static void shutdown_and_report(void)
{
    phase = "device_remove (shutdown_blkfront)";
    unsigned bad_before = rf_heap_bad_frees();
    int r = device_remove(blk, DM_REMOVE_NORMAL);
    check(r == 0, "device_remove returned %d", r);
    check(strcmp(rf_stats.states, "4>5>6>1") == 0 && rf_back_state() == 2,
          "frontend state writes %s, backend now %u (InitWait: ready for the next boot stage)", rf_stats.states, rf_back_state());
    check(rf_stats.grants_live == 0 && rf_stats.grants_refused_end == 0,
          "every grant ended (%u issued, at most %u at once, %u refused while mapped)",
          rf_stats.grants_issued, rf_stats.grants_max_live, rf_stats.grants_refused_end);
    observed("event channel: %u notifies sent, %u backend events seen (the driver polls the ring and never waits on the channel)",
             rf_stats.notifies, rf_stats.events);
    unsigned double_frees = rf_heap_bad_frees() - bad_before;
    observed("heap: %u free(s) of a block not allocated during device_remove (free_blkfront frees the device's priv, then device_free frees it again)", double_frees);
    uint64_t bad = 0;
    int same = image_matches(0, image_bytes, &bad);
    check(same, "the whole image (%llu bytes) is what was written, byte for byte", (unsigned long long)image_bytes);
}

int main(int argc, char **argv)
{
    if (argc < 4 || argc > 5) {
        fprintf(stderr, "usage: realfront <shm-file> <image> <io|readonly|4k|bug> [timeout_ms]\n");
        return 2;
    }
    plan = argv[3];
    unsigned timeout_ms = argc == 5 ? (unsigned)strtoul(argv[4], NULL, 10) : 20000u;
    setvbuf(stdout, NULL, _IOLBF, 0);
    signal(SIGALRM, on_alarm);
    alarm((timeout_ms + 999) / 1000 + 5);
    rf_panic_hook = on_panic;
    prepare_image(argv[2]);
    lbaint_t last;

    if (strcmp(plan, "io") == 0) {
        boot(argv[1], "w", timeout_ms);
        last = (lbaint_t)(image_bytes / SECTOR) - 1;
        /* Sizes: one block, one page, one request's worth (11 pages), one block more (two
         * requests), several requests; buffers page-aligned, sector-aligned inside a page, and
         * not sector-aligned at all (bounced a sector at a time); the last block of the disk. */
        do_write(0, 1, 0);
        do_write(8, 8, 0);
        do_write(17, 7, 512);
        do_write(100, 88, 0);
        do_write(300, 89, 0);
        do_write(1000, 200, 0);
        do_write(2000, 80, 512);
        do_write(3001, 3, 1);
        do_write(3100, 5, 3);
        do_write(3200, 2, 511);
        do_write(last, 1, 0);
        do_read(0, 1, 0);
        do_read(8, 8, 0);
        do_read(17, 7, 512);
        do_read(100, 88, 0);
        do_read(300, 89, 0);
        do_read(1000, 200, 0);
        do_read(2000, 80, 512);
        do_read(3001, 3, 1);
        do_read(3100, 5, 3);
        do_read(3200, 2, 511);
        do_read(last, 1, 0);
        do_read(96, 100, 0);  /* across written and untouched blocks */
        do_read(5000, 64, 7); /* untouched, misaligned */
        phase = "read past the end";
        unsigned long r = ops->read(blk, last, 2, arena);
        check(r == 0, "a read of 2 blocks at the last lba is refused by pvblock_iop before the ring (returned %lu)", r);
        shutdown_and_report();
    } else if (strcmp(plan, "readonly") == 0) {
        boot(argv[1], "r", timeout_ms);
        do_read(0, 16, 0);
        phase = "write to a read-only disk";
        uint8_t *buf = arena;
        for (unsigned i = 0; i < 8 * SECTOR; i++) buf[i] = (uint8_t)~pattern(16 * SECTOR + i, 0);
        unsigned long r = ops->write(blk, 16, 8, buf);
        uint64_t bad = 0;
        int same = image_matches(16 * SECTOR, 8 * SECTOR, &bad);
        check(same, "the backend refused the write: the image is unchanged");
        check(r == 8, "pvblock_blk_write still returned %lu (blkfront_aio_cb drops the status; the error is only printed)", r);
        shutdown_and_report();
    } else if (strcmp(plan, "4k") == 0) {
        boot(argv[1], "w", timeout_ms);
        phase = "write to a 4096-byte-sector disk";
        uint8_t *buf = arena;
        for (unsigned i = 0; i < 4096; i++) buf[i] = (uint8_t)~pattern(4096 + i, 0);
        unsigned long r = ops->write(blk, 1, 1, buf);
        uint64_t bad = 0;
        int same = image_matches(0, 2 * 4096, &bad);
        check(same, "the write of block 1 (sector_number 1, first_sect 0, last_sect 0: 512 bytes at byte 512 in blkif's units) was refused: the image is unchanged");
        check(r == 1, "pvblock_blk_write still returned %lu", r);
        shutdown_and_report();
    } else if (strcmp(plan, "bug") == 0) {
        boot(argv[1], "w", timeout_ms);
        phase = "bug read";
        unsigned long r = ops->read(blk, 0, 88, arena + 512);
        check(0, "the 12-page read did not hit the BUG_ON (returned %lu)", r);
        rf_toolstack_destroy_domain();
    } else {
        fprintf(stderr, "unknown plan %s\n", plan);
        return 2;
    }
    printf("realfront: %u passed, %u failed\n", passed, failed);
    return failed ? 1 : 0;
}

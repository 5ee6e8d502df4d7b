/*
 * Which software prefetch hides the disk miss of blkback's copy: a model of its request loop. Each "request"
 * copies 4 KiB from a random 512-byte-aligned place in a 64 MiB "disk" into one of 8 destination buffers (as the
 * whole-stack 4 KiB random row does) after `work` rounds of dependent arithmetic standing in for the rest of the
 * stack's per-request work; a variant hints the disk lines of the request `distance` ahead, `lines` of its 64 cache
 * lines, with prefetcht0 (into L1), prefetcht1 (L2) or prefetcht2. Timed in this thread's CPU time, 5 runs of each
 * variant interleaved, so a loaded machine inflates all of them alike. MemoryDisk.Prefetch uses what this showed
 * best on an Intel Xeon VM: every line, prefetcht1, one request ahead (see docs/BENCHMARKS.md).
 *
 * Build: gcc -O2 -Wall -Wextra -Werror prefetchloop.c -o prefetchloop
 * Run:   ./prefetchloop <work> <requests>      e.g. ./prefetchloop 100 200000; one line per run and variant
 */
#include <immintrin.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DISK (64u << 20)
#define PAGE 4096

struct variant { const char *name; int distance, lines, hint; };

static const struct variant variants[] = {
    { "none", 0, 0, 0 },      { "d1-64xT0", 1, 64, 0 }, { "d1-64xT1", 1, 64, 1 }, { "d2-64xT0", 2, 64, 0 },
    { "d2-64xT1", 2, 64, 1 }, { "d2-64xT2", 2, 64, 2 }, { "d2-32xT1", 2, 32, 1 }, { "d3-64xT1", 3, 64, 1 },
    { "d4-64xT1", 4, 64, 1 },
};

static volatile uint64_t sink;

static double cpu_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static uint64_t work(int rounds)
{
    uint64_t x = (uint64_t)rounds;
    for (int i = 0; i < rounds; i++) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        x ^= x >> 13;
    }
    return x;
}

static void hint(const unsigned char *p, int lines, int level)
{
    for (int l = 0; l < lines; l++) {
        if (level == 0) _mm_prefetch((const char *)p + l * 64, _MM_HINT_T0);
        else if (level == 1) _mm_prefetch((const char *)p + l * 64, _MM_HINT_T1);
        else _mm_prefetch((const char *)p + l * 64, _MM_HINT_T2);
    }
}

int main(int argc, char **argv)
{
    int rounds = argc > 1 ? atoi(argv[1]) : 100;
    int ops = argc > 2 ? atoi(argv[2]) : 200000;
    if (rounds < 0 || ops <= 0) {
        fprintf(stderr, "usage: prefetchloop <work rounds> <requests>\n");
        return 2;
    }
    unsigned char *disk = aligned_alloc(PAGE, DISK);
    unsigned char *dst = aligned_alloc(PAGE, 8 * 2 * PAGE);
    uint64_t *offset = malloc(sizeof(uint64_t) * (size_t)ops);
    if (!disk || !dst || !offset) return 1;
    memset(disk, 0x5a, DISK);
    memset(dst, 0, 8 * 2 * PAGE);
    uint64_t rng = 88172645463325252ULL;
    for (int i = 0; i < ops; i++) {
        rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
        offset[i] = (rng % ((DISK - 2 * PAGE) / 512)) * 512;
    }
    for (int run = 0; run < 5; run++) {
        for (size_t v = 0; v < sizeof variants / sizeof variants[0]; v++) {
            const struct variant *x = &variants[v];
            double t0 = cpu_seconds();
            uint64_t acc = 0;
            for (int i = 0; i < ops; i++) {
                if (x->distance && i + x->distance < ops) hint(disk + offset[i + x->distance], x->lines, x->hint);
                acc += work(rounds);
                memcpy(dst + (size_t)(i & 7) * 2 * PAGE, disk + offset[i], PAGE);
            }
            sink = acc;
            printf("%-9s work=%d run=%d %7.1f CPU ns/request\n", x->name, rounds, run + 1, (cpu_seconds() - t0) / ops * 1e9);
        }
    }
    return 0;
}

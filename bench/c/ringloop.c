/*
 * Baseline for the whole-stack benchmark: the same front/back ring loop the C# stack runs, written
 * with Xen's own ring.h macros and compiled -O2, so the C# numbers can be reported as a ratio of
 * what plain C on this machine does. One thread plays both ends (as the simulation does): the
 * frontend fills the ring with 4 KiB READs of one segment each, the backend copies a page from the
 * "disk" into the granted page and answers, the frontend consumes the responses.
 *
 * Build: gcc -O2 -m64 (or -m32) -D__XEN_INTERFACE_VERSION__=0x00040e00 ringloop.c
 * Run:   ./ringloop <ops> <bytes-per-op> [random|sequential]   prints one JSON line
 * The disk is 64 MiB, like the C# harness's touched range; "random" draws 512-byte-aligned offsets
 * from an xorshift generator, so the two sides pay the same cache and TLB misses on the disk.
 */
#include <stdint.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define xen_mb()  __sync_synchronize()
#define xen_rmb() __sync_synchronize()
#define xen_wmb() __sync_synchronize()
#include <xen/io/blkif.h>

#define PAGE 4096
#define DISK_PAGES 16384

static double now_sec(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    long ops = argc > 1 ? atol(argv[1]) : 2000000;
    int bytes = argc > 2 ? atoi(argv[2]) : 4096;
    if (bytes <= 0 || bytes % 512 != 0 || bytes > PAGE * BLKIF_MAX_SEGMENTS_PER_REQUEST) {
        fprintf(stderr, "bytes-per-op must be a multiple of 512 up to %d\n", PAGE * BLKIF_MAX_SEGMENTS_PER_REQUEST);
        return 2;
    }
    int segs = (bytes + PAGE - 1) / PAGE;
    int random = argc > 3 && strcmp(argv[3], "random") == 0;
    uint64_t rng = 0x9E3779B97F4A7C15ULL;
    uint64_t span_sectors = (uint64_t)DISK_PAGES * 8 - (uint64_t)segs * 8;

    void *ring_page = aligned_alloc(PAGE, PAGE);
    unsigned char *disk = aligned_alloc(PAGE, (size_t)DISK_PAGES * PAGE);
    unsigned char *guest = aligned_alloc(PAGE, (size_t)64 * BLKIF_MAX_SEGMENTS_PER_REQUEST * PAGE);
    memset(disk, 0x5a, (size_t)DISK_PAGES * PAGE);
    memset(guest, 0, (size_t)64 * BLKIF_MAX_SEGMENTS_PER_REQUEST * PAGE);

    blkif_sring_t *sring = ring_page;
    blkif_front_ring_t front;
    blkif_back_ring_t back;
    SHARED_RING_INIT(sring);
    FRONT_RING_INIT(&front, sring, PAGE);
    BACK_RING_INIT(&back, sring, PAGE);
    unsigned size = RING_SIZE(&front);

    unsigned long long checksum = 0;
    long submitted = 0, completed = 0;
    double t0 = now_sec();
    while (completed < ops) {
        /* frontend: fill the ring */
        while (submitted < ops && RING_FREE_REQUESTS(&front) > 0) {
            blkif_request_t *req = RING_GET_REQUEST(&front, front.req_prod_pvt);
            req->operation = BLKIF_OP_READ;
            req->nr_segments = (uint8_t)segs;
            req->handle = 0;
            req->id = (uint64_t)(submitted % size);
            if (random) {
                rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
                req->sector_number = rng % span_sectors;
            } else {
                req->sector_number = (uint64_t)(submitted * 8) % span_sectors;
            }
            for (int s = 0; s < segs; s++) {
                int last = (s == segs - 1) ? ((bytes - s * PAGE) / 512 - 1) : 7;
                req->seg[s].gref = (grant_ref_t)((req->id * BLKIF_MAX_SEGMENTS_PER_REQUEST) + s);
                req->seg[s].first_sect = 0;
                req->seg[s].last_sect = (uint8_t)(last > 7 ? 7 : last);
            }
            front.req_prod_pvt++;
            submitted++;
        }
        int notify;
        RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&front, notify);
        (void)notify;

        /* backend: copy each request once, move the data, answer */
        RING_IDX rp = sring->req_prod;
        xen_rmb();
        while (back.req_cons != rp) {
            blkif_request_t req;
            memcpy(&req, RING_GET_REQUEST(&back, back.req_cons), sizeof(req));
            back.req_cons++;
            unsigned char *src = disk + req.sector_number * 512;
            for (int s = 0; s < req.nr_segments; s++) {
                unsigned char *dst = guest + (size_t)req.seg[s].gref * PAGE + req.seg[s].first_sect * 512;
                size_t n = (size_t)(req.seg[s].last_sect - req.seg[s].first_sect + 1) * 512;
                memcpy(dst, src, n);
                src += n;
            }
            blkif_response_t *rsp = RING_GET_RESPONSE(&back, back.rsp_prod_pvt);
            rsp->id = req.id;
            rsp->operation = req.operation;
            rsp->status = BLKIF_RSP_OKAY;
            back.rsp_prod_pvt++;
        }
        RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&back, notify);

        /* frontend: consume responses */
        RING_IDX rsp_prod = sring->rsp_prod;
        xen_rmb();
        while (front.rsp_cons != rsp_prod) {
            blkif_response_t *rsp = RING_GET_RESPONSE(&front, front.rsp_cons);
            checksum += rsp->id + guest[(size_t)rsp->id * BLKIF_MAX_SEGMENTS_PER_REQUEST * PAGE];
            front.rsp_cons++;
            completed++;
        }
    }
    double elapsed = now_sec() - t0;
    printf("{\"abi\":\"%s\",\"pattern\":\"%s\",\"ops\":%ld,\"bytes\":%d,\"seconds\":%.6f,\"ops_per_sec\":%.1f,\"checksum\":%llu}\n",
           sizeof(void *) == 8 ? "x86_64" : "x86_32", random ? "random" : "sequential", ops, bytes, elapsed, ops / elapsed, checksum);
    return 0;
}

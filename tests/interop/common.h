/*
 * common.h - what every interop program needs before and around Xen's headers.
 *
 * Include this first. It pulls in the C library pieces the Xen headers assume,
 * supplies the memory barriers ring.h leaves to the includer, and then includes
 * the official blkif.h (which brings ring.h and grant_table.h) and protocols.h.
 * The ABI is chosen by the compiler flag: -m32 gives x86_32, -m64 gives x86_64.
 *
 * Kept separate so the later shared-memory backend/frontend programs reuse the
 * same includes and barriers as the layout and page-exchange checks.
 */
#ifndef XENVBD_INTEROP_COMMON_H
#define XENVBD_INTEROP_COMMON_H

#include <stdint.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef __XEN_INTERFACE_VERSION__
#define __XEN_INTERFACE_VERSION__ 0x00040e00
#endif

/* ring.h expects these from the includer. A full fence is stronger than needed, which is fine. */
#define xen_mb()  __sync_synchronize()
#define xen_rmb() __sync_synchronize()
#define xen_wmb() __sync_synchronize()

#include <xen/io/blkif.h>
#include <xen/io/protocols.h>

#if defined(__x86_64__)
#define INTEROP_ABI XEN_IO_PROTO_ABI_X86_64
#elif defined(__i386__)
#define INTEROP_ABI XEN_IO_PROTO_ABI_X86_32
#else
#error "interop programs are built with -m32 or -m64 on x86"
#endif

/* Bytes of the shared ring area for a ring-page-order: Xen ring pages are always 4 KiB. */
#define INTEROP_PAGE_SIZE (1u << XEN_PAGE_SHIFT)
#define INTEROP_RING_BYTES(order) (INTEROP_PAGE_SIZE << (order))
#define INTEROP_MAX_ORDER 4

/* One ring entry's worth of request, viewed as any of the three request layouts. */
union interop_request {
    blkif_request_t rw;
    blkif_request_discard_t discard;
    blkif_request_indirect_t indirect;
};

static inline void *interop_read_file(const char *path, size_t *length)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    if (fseek(f, 0, SEEK_END) != 0) { fclose(f); return NULL; }
    long n = ftell(f);
    if (n < 0 || fseek(f, 0, SEEK_SET) != 0) { fclose(f); return NULL; }
    /* Page-aligned like a real ring page. */
    void *buffer = aligned_alloc(INTEROP_PAGE_SIZE, ((size_t)n + INTEROP_PAGE_SIZE) & ~(size_t)(INTEROP_PAGE_SIZE - 1));
    if (!buffer) { fclose(f); return NULL; }
    if (n > 0 && fread(buffer, 1, (size_t)n, f) != (size_t)n) { free(buffer); fclose(f); return NULL; }
    fclose(f);
    *length = (size_t)n;
    return buffer;
}

static inline int interop_write_file(const char *path, const void *data, size_t length)
{
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    size_t written = fwrite(data, 1, length, f);
    return (fclose(f) == 0 && written == length) ? 0 : -1;
}

#endif

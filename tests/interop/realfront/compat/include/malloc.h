/*
 * U-Boot's <malloc.h>: U-Boot maps malloc & co. onto its own allocator by macro (dlmalloc or
 * malloc_simple); here they map onto the guest heap, the data pages of the shared-memory file
 * (guest_heap.c), because what the driver allocates - its ring page, bounce buffer - is granted
 * to the backend and must be guest memory.
 */
#ifndef REALFRONT_UBOOT_MALLOC_H
#define REALFRONT_UBOOT_MALLOC_H
#include <stddef.h>
void *guest_malloc(size_t size);
void *guest_memalign(size_t alignment, size_t size);
void *guest_calloc(size_t n, size_t size);
void guest_free(void *p);
char *guest_strdup(const char *s);
#define malloc(n) guest_malloc(n)
#define memalign(a, n) guest_memalign((a), (n))
#define calloc(n, s) guest_calloc((n), (s))
#define free(p) guest_free(p)
#endif

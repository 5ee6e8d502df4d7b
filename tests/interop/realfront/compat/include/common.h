/*
 * U-Boot's <common.h>, as far as drivers/xen/pvblock.c uses it, for a Linux host process.
 * Part of the compat layer of tests/interop/realfront (docs/INTEROP.md, "Real frontends"): the real
 * U-Boot file is compiled unchanged against these headers. What U-Boot implements in its own lib/
 * (printf, string functions) is the C library's; the heap (malloc and friends) is the guest's
 * memory in the shared-memory file, as U-Boot's heap is the guest's RAM.
 */
#ifndef REALFRONT_UBOOT_COMMON_H
#define REALFRONT_UBOOT_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/types.h>

#include <linux/types.h>
#include <linux/compiler.h>
#include <malloc.h>

/* U-Boot's puts() writes the string as it is (no newline, unlike the C library's). */
#define puts(s) fputs((s), stdout)
/* lib/string.c's strdup allocates from U-Boot's heap, so free() in the driver can release it. */
#define strdup(s) guest_strdup(s)
#define printk printf

#define ARRAY_SIZE(x) (sizeof(x) / sizeof((x)[0]))

/* log.h: debug() prints only in a file built with DEBUG defined; pvblock.c is not. */
#define debug(fmt, ...) do { if (0) printf(fmt, ##__VA_ARGS__); } while (0)

/* common.h's LOG2 of a power of two. */
#define LOG2(x) (__builtin_ctzl((unsigned long)(x)))

#endif

/* U-Boot's <linux/types.h>: the kernel-style fixed-width names U-Boot's Xen headers use. */
#ifndef REALFRONT_LINUX_TYPES_H
#define REALFRONT_LINUX_TYPES_H
#include <stdint.h>
#include <sys/types.h>
typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef unsigned long long u64; /* as U-Boot's asm/types.h: __u64 is unsigned long long */
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef long long s64;
typedef uint8_t __u8;
typedef uint16_t __u16;
typedef uint32_t __u32;
typedef unsigned long long __u64;
typedef __u64 __attribute__((aligned(8))) aligned_u64;
typedef unsigned long ulong;
typedef unsigned int uint;
typedef unsigned long phys_addr_t;
typedef unsigned long phys_size_t;
#endif

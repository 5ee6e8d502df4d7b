/* U-Boot's <linux/compiler.h>: the compiler barrier. */
#ifndef REALFRONT_LINUX_COMPILER_H
#define REALFRONT_LINUX_COMPILER_H
#define barrier() __asm__ __volatile__("" ::: "memory")
#define __aligned(x) __attribute__((aligned(x)))
#endif

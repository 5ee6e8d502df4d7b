/* U-Boot's <linux/bug.h>: BUG() prints where and panics; a panic stops this guest (abort). */
#ifndef REALFRONT_LINUX_BUG_H
#define REALFRONT_LINUX_BUG_H
#include <stdio.h>
#include <stdlib.h>
void guest_panic(const char *what) __attribute__((noreturn));
#define BUG() do { printf("BUG at %s:%d/%s()!\n", __FILE__, __LINE__, __func__); guest_panic("BUG!"); } while (0)
#define BUG_ON(condition) do { if (__builtin_expect(!!(condition), 0)) BUG(); } while (0)
#endif

/* U-Boot's <asm/io.h> barriers, for x86: a full fence is at least as strong as Arm's dsb. */
#ifndef REALFRONT_ASM_IO_H
#define REALFRONT_ASM_IO_H
#define mb() __sync_synchronize()
#define rmb() __sync_synchronize()
#define wmb() __sync_synchronize()
#endif

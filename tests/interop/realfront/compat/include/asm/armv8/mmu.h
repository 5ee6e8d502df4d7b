/* U-Boot's <asm/armv8/mmu.h>: pvblock.c includes it but uses nothing from it. */

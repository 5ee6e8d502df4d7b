/* U-Boot's <part.h>: the one constant pvblock.c uses. */
#ifndef REALFRONT_UBOOT_PART_H
#define REALFRONT_UBOOT_PART_H
#define PART_TYPE_UNKNOWN 0x00
#endif

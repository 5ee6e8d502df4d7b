/* U-Boot's <asm/global_data.h>: gd, of which pvblock.c uses the driver model's root device. */
#ifndef REALFRONT_ASM_GLOBAL_DATA_H
#define REALFRONT_ASM_GLOBAL_DATA_H
struct udevice;
struct global_data {
	struct udevice *dm_root;
};
extern struct global_data *compat_gd;
#define gd compat_gd
#endif

/*
 * U-Boot's driver model (<dm.h>), the part pvblock.c uses: drivers declared with U_BOOT_DRIVER
 * land in a linker list (a named section, as U-Boot's ll_entry_declare does), devices are bound
 * by driver name, probed on first use with their priv_auto bytes zeroed, and grouped by uclass.
 * Implemented in uboot_dm.c.
 */
#ifndef REALFRONT_UBOOT_DM_H
#define REALFRONT_UBOOT_DM_H
#include <stdbool.h>
#include <linux/types.h>

enum uclass_id {
	UCLASS_ROOT = 0,
	UCLASS_BLK,
	UCLASS_PVBLOCK,
	UCLASS_COUNT,
};

#define DM_FLAG_ACTIVATED	(1 << 0)
#define DM_FLAG_OS_PREPARE	(1 << 10)
#define DM_REMOVE_NORMAL	1

struct udevice;

struct driver {
	char *name;
	enum uclass_id id;
	const void *ops;
	int (*bind)(struct udevice *dev);
	int (*probe)(struct udevice *dev);
	int (*remove)(struct udevice *dev);
	int priv_auto;
	int plat_auto;
	u32 flags;
} __attribute__((aligned(64))); /* a fixed stride in the linker list, whatever GCC aligns data to */

struct uclass_driver {
	const char *name;
	enum uclass_id id;
	int per_device_plat_auto;
} __attribute__((aligned(32)));

struct udevice {
	const struct driver *driver;
	const char *name;
	void *plat_;
	void *priv_;
	void *uclass_plat_;
	struct udevice *parent;
	struct udevice *next_in_uclass;
	u32 flags;
};

struct uclass {
	const struct uclass_driver *uc_drv;
	struct udevice *first;
};

struct driver_info {
	const char *name;
	const void *plat;
};

#define REALFRONT_LL_ENTRY(_type, _name, _list) \
	_type _u_boot_list_2_##_list##_2_##_name __attribute__((used, section("uboot_list_" #_list)))

#define U_BOOT_DRIVER(__name) REALFRONT_LL_ENTRY(struct driver, __name, driver)
#define UCLASS_DRIVER(__name) REALFRONT_LL_ENTRY(struct uclass_driver, __name, uclass_driver)

int device_bind_by_name(struct udevice *parent, bool pre_reloc_only,
			const struct driver_info *info, struct udevice **devp);
void *dev_get_priv(const struct udevice *dev);
void *dev_get_plat(const struct udevice *dev);
void *dev_get_uclass_plat(const struct udevice *dev);

int uclass_get(enum uclass_id id, struct uclass **ucp);
const char *uclass_get_name(enum uclass_id id);
int uclass_probe_all(enum uclass_id id);
int uclass_first_device(enum uclass_id id, struct udevice **devp);
int uclass_next_device(struct udevice **devp);

#define uclass_foreach_dev_probe(id, dev)	\
	for (uclass_first_device(id, &dev); dev; \
	     uclass_next_device(&dev))
#endif

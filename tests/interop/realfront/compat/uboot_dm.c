/*
 * uboot_dm.c - U-Boot's driver model and block uclass as far as pvblock.c uses them, with the
 * behaviour of U-Boot 2023.01 drivers/core/{device.c,device-remove.c,uclass.c} and
 * drivers/block/blk-uclass.c (read, not copied):
 *  - device_bind_by_name finds the driver in the linker list by name, allocates the uclass's
 *    per-device plat (blk_desc for UCLASS_BLK) zeroed, then calls the driver's bind;
 *  - device_probe probes the parent first, allocates priv_auto zeroed, calls probe; on failure
 *    device_free releases priv_auto;
 *  - device_remove calls the driver's remove, then device_free releases priv_auto.
 * Allocations come from U-Boot's heap (the guest heap), as U-Boot's calloc does.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <dm.h>
#include <dm/device-internal.h>
#include <blk.h>

#include "realfront.h"

extern struct driver __start_uboot_list_driver[], __stop_uboot_list_driver[];
extern struct uclass_driver __start_uboot_list_uclass_driver[], __stop_uboot_list_uclass_driver[];

/* The block uclass (blk-uclass.c) and the root, which U-Boot itself provides. */
UCLASS_DRIVER(blk) = { .name = "blk", .id = UCLASS_BLK, .per_device_plat_auto = sizeof(struct blk_desc) };
UCLASS_DRIVER(root) = { .name = "root", .id = UCLASS_ROOT };
U_BOOT_DRIVER(root_driver) = { .name = "root_driver", .id = UCLASS_ROOT };

static struct uclass uclasses[UCLASS_COUNT];

static const struct uclass_driver *find_uclass_driver(enum uclass_id id)
{
    for (struct uclass_driver *u = __start_uboot_list_uclass_driver; u < __stop_uboot_list_uclass_driver; u++)
        if (u->id == id) return u;
    return NULL;
}

int uclass_get(enum uclass_id id, struct uclass **ucp)
{
    if (id >= UCLASS_COUNT) return -EINVAL;
    struct uclass *uc = &uclasses[id];
    if (!uc->uc_drv) {
        uc->uc_drv = find_uclass_driver(id);
        if (!uc->uc_drv) return -ENOENT;
    }
    *ucp = uc;
    return 0;
}

const char *uclass_get_name(enum uclass_id id)
{
    const struct uclass_driver *u = find_uclass_driver(id);
    return u ? u->name : NULL;
}

static struct udevice *bind(struct udevice *parent, const struct driver *drv, const void *plat)
{
    struct uclass *uc;
    if (uclass_get(drv->id, &uc)) return NULL;
    struct udevice *dev = guest_calloc(1, sizeof *dev);
    if (!dev) return NULL;
    dev->driver = drv;
    dev->name = drv->name;
    dev->parent = parent;
    dev->plat_ = (void *)plat;
    if (uc->uc_drv->per_device_plat_auto) {
        dev->uclass_plat_ = guest_calloc(1, (size_t)uc->uc_drv->per_device_plat_auto);
        if (!dev->uclass_plat_) { guest_free(dev); return NULL; }
    }
    struct udevice **tail = &uc->first;
    while (*tail) tail = &(*tail)->next_in_uclass;
    *tail = dev;
    if (drv->bind && drv->bind(dev) < 0) {
        *tail = NULL;
        guest_free(dev->uclass_plat_);
        guest_free(dev);
        return NULL;
    }
    return dev;
}

int device_bind_by_name(struct udevice *parent, bool pre_reloc_only, const struct driver_info *info, struct udevice **devp)
{
    (void)pre_reloc_only;
    for (struct driver *d = __start_uboot_list_driver; d < __stop_uboot_list_driver; d++) {
        if (strcmp(d->name, info->name) != 0) continue;
        struct udevice *dev = bind(parent, d, info->plat);
        if (!dev) return -ENOMEM;
        if (devp) *devp = dev;
        return 0;
    }
    printf("Cannot find driver '%s'\n", info->name);
    return -ENOENT;
}

void *dev_get_priv(const struct udevice *dev) { return dev->priv_; }
void *dev_get_plat(const struct udevice *dev) { return dev->plat_; }
void *dev_get_uclass_plat(const struct udevice *dev) { return dev->uclass_plat_; }

static void device_free(struct udevice *dev)
{
    if (dev->driver->priv_auto) {
        guest_free(dev->priv_);
        dev->priv_ = NULL;
    }
}

int device_probe(struct udevice *dev)
{
    if (dev->flags & DM_FLAG_ACTIVATED) return 0;
    if (dev->parent) {
        int r = device_probe(dev->parent);
        if (r) return r;
    }
    if (dev->driver->priv_auto && !dev->priv_) {
        dev->priv_ = guest_calloc(1, (size_t)dev->driver->priv_auto);
        if (!dev->priv_) return -ENOMEM;
    }
    dev->flags |= DM_FLAG_ACTIVATED;
    int ret = dev->driver->probe ? dev->driver->probe(dev) : 0;
    if (ret) {
        dev->flags &= ~(u32)DM_FLAG_ACTIVATED;
        device_free(dev);
    }
    return ret;
}

int device_remove(struct udevice *dev, unsigned int flags)
{
    (void)flags;
    if (!(dev->flags & DM_FLAG_ACTIVATED)) return 0;
    int ret = dev->driver->remove ? dev->driver->remove(dev) : 0;
    if (ret) return ret;
    device_free(dev);
    dev->flags &= ~(u32)DM_FLAG_ACTIVATED;
    return 0;
}

int uclass_probe_all(enum uclass_id id)
{
    struct uclass *uc;
    int r = uclass_get(id, &uc);
    if (r) return r;
    for (struct udevice *d = uc->first; d; d = d->next_in_uclass) {
        r = device_probe(d);
        if (r) return r;
    }
    return 0;
}

/* uclass_first_device / next: the next device that probes; dev = NULL at the end. */
static struct udevice *probe_from(struct udevice *d)
{
    for (; d; d = d->next_in_uclass) if (device_probe(d) == 0) return d;
    return NULL;
}

int uclass_first_device(enum uclass_id id, struct udevice **devp)
{
    struct uclass *uc;
    *devp = NULL;
    int r = uclass_get(id, &uc);
    if (r) return r;
    *devp = probe_from(uc->first);
    return 0;
}

int uclass_next_device(struct udevice **devp)
{
    *devp = probe_from((*devp)->next_in_uclass);
    return 0;
}

int blk_next_free_devnum(enum uclass_id uclass_id)
{
    struct uclass *uc;
    int max = -1;
    if (uclass_get(UCLASS_BLK, &uc)) return -ENODEV;
    for (struct udevice *d = uc->first; d; d = d->next_in_uclass) {
        struct blk_desc *desc = dev_get_uclass_plat(d);
        if (desc->uclass_id == uclass_id && desc->devnum > max) max = desc->devnum;
    }
    return max + 1;
}

static struct udevice *blk_of_type(struct udevice *d, int uclass_id)
{
    for (; d; d = d->next_in_uclass) {
        struct blk_desc *desc = dev_get_uclass_plat(d);
        if ((int)desc->uclass_id == uclass_id) return d;
    }
    return NULL;
}

int blk_first_device(int uclass_id, struct udevice **devp)
{
    struct uclass *uc;
    *devp = NULL;
    if (uclass_get(UCLASS_BLK, &uc)) return -ENODEV;
    *devp = blk_of_type(uc->first, uclass_id);
    return *devp ? 0 : -ENODEV;
}

int blk_next_device(struct udevice **devp)
{
    struct blk_desc *desc = dev_get_uclass_plat(*devp);
    *devp = blk_of_type((*devp)->next_in_uclass, desc->uclass_id);
    return *devp ? 0 : -ENODEV;
}

struct udevice *rf_dm_root(void)
{
    static struct udevice *root;
    if (!root) {
        for (struct driver *d = __start_uboot_list_driver; d < __stop_uboot_list_driver; d++)
            if (strcmp(d->name, "root_driver") == 0) root = bind(NULL, d, NULL);
        if (root) device_probe(root);
    }
    return root;
}

/*
 * U-Boot's block layer (<blk.h>), what pvblock.c implements and uses: the blk_desc each block
 * device carries as its uclass data and the blk_ops a driver provides. lbaint_t is ulong, as
 * without CONFIG_SYS_64BIT_LBA. Implemented in uboot_dm.c.
 */
#ifndef REALFRONT_UBOOT_BLK_H
#define REALFRONT_UBOOT_BLK_H
#include <dm.h>

typedef ulong lbaint_t;
#define LBAF "%lx"

#define BLK_VEN_SIZE 40
#define BLK_PRD_SIZE 20
#define BLK_REV_SIZE 8

struct blk_desc {
	enum uclass_id uclass_id;
	int devnum;
	unsigned char part_type;
	lbaint_t lba;
	unsigned long blksz;
	int log2blksz;
	char vendor[BLK_VEN_SIZE + 1];
	char product[BLK_PRD_SIZE + 1];
	char revision[BLK_REV_SIZE + 1];
	struct udevice *bdev;
};

struct blk_ops {
	unsigned long (*read)(struct udevice *dev, lbaint_t start, lbaint_t blkcnt, void *buffer);
	unsigned long (*write)(struct udevice *dev, lbaint_t start, lbaint_t blkcnt, const void *buffer);
};

int blk_next_free_devnum(enum uclass_id uclass_id);
int blk_first_device(int uclass_id, struct udevice **devp);
int blk_next_device(struct udevice **devp);
#endif

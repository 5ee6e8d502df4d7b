/* U-Boot's <dm/device-internal.h>: device_probe/device_remove, as the compat driver model has them. */
#ifndef REALFRONT_DM_DEVICE_INTERNAL_H
#define REALFRONT_DM_DEVICE_INTERNAL_H
#include <dm.h>
int device_probe(struct udevice *dev);
int device_remove(struct udevice *dev, unsigned int flags);
#endif

/* U-Boot's <compiler.h>: nothing pvblock.c needs beyond <linux/compiler.h>. */
#include <linux/compiler.h>

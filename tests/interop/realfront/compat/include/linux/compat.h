/*
 * U-Boot's <linux/compat.h>, the parts pvblock.c uses: page size, cpu_relax, and
 * wait_event_timeout as U-Boot defines it - poll the event channels (eventchn_poll) and the
 * condition until `timeout` milliseconds of get_timer() have passed.
 */
#ifndef REALFRONT_LINUX_COMPAT_H
#define REALFRONT_LINUX_COMPAT_H
#include <linux/types.h>
#define PAGE_SIZE 4096
#define PAGE_SHIFT 12
#define PAGE_MASK (~(unsigned long)(PAGE_SIZE - 1))

ulong get_timer(ulong base);
void eventchn_poll(void);
/* The guest's "pause" in a busy loop: yields the host CPU (the backend shares the machine). */
void cpu_relax(void);
int ctrlc(void);

#define min(x, y) ((x) < (y) ? (x) : (y))

#define __wait_event_timeout(condition, timeout, ret)		\
({								\
	ulong __ret = ret;					\
	ulong start = get_timer(0);				\
	for (;;) {						\
		eventchn_poll();				\
		if (condition) {				\
			__ret = 1;				\
			break;					\
		}						\
		if ((get_timer(start) > (timeout)) || ctrlc()) {	\
			__ret = 0;				\
			break;					\
		}						\
		cpu_relax();					\
	}							\
	__ret;							\
})

#define wait_event_timeout(wq_head, condition, timeout)		\
({								\
	ulong __ret;						\
	if (condition)						\
		__ret = 1;					\
	else							\
		__ret = __wait_event_timeout(condition, timeout, __ret);\
	__ret;							\
})
#endif

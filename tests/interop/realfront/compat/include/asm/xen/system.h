/*
 * U-Boot's <asm/xen/system.h> for this port: the same atomics and address macros as the Arm
 * version, except to_phys. U-Boot on Arm runs with virtual = guest-physical addresses; here the
 * guest's physical memory is the file's guest region, mapped wherever mmap put it, so a guest
 * physical address is the distance from that mapping (guest_virt_to_phys) - the p2m of this guest.
 */
#ifndef REALFRONT_ASM_XEN_SYSTEM_H
#define REALFRONT_ASM_XEN_SYSTEM_H
#include <linux/compat.h>
#include <asm/io.h>

#define synch_cmpxchg(ptr, old, new) \
({ __typeof__(*ptr) stored = old; \
	__atomic_compare_exchange_n(ptr, &stored, new, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST) ? new : old; \
})

#define xen_mb()	mb()
#define xen_rmb()	rmb()
#define xen_wmb()	wmb()

unsigned long guest_virt_to_phys(const void *va);
void *guest_phys_to_virt(unsigned long pa);
#define to_phys(x)		guest_virt_to_phys((const void *)(x))
#define to_virt(x)		guest_phys_to_virt((unsigned long)(x))

#define PFN_UP(x)		(unsigned long)(((x) + PAGE_SIZE - 1) >> PAGE_SHIFT)
#define PFN_DOWN(x)		(unsigned long)((x) >> PAGE_SHIFT)
#define PFN_PHYS(x)		((unsigned long)(x) << PAGE_SHIFT)
#define PHYS_PFN(x)		(unsigned long)((x) >> PAGE_SHIFT)

#define virt_to_pfn(_virt)	(PFN_DOWN(to_phys(_virt)))
#define virt_to_mfn(_virt)	(PFN_DOWN(to_phys(_virt)))
#define mfn_to_virt(_mfn)	(to_virt(PFN_PHYS(_mfn)))
#define pfn_to_virt(_pfn)	(to_virt(PFN_PHYS(_pfn)))
#endif

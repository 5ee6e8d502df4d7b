/*
 * The hypercalls U-Boot's Xen code makes (arch/arm/include/asm/xen/hypercall.h declares the same).
 * Here they are answered by the compat layer's stand-in for the hypervisor (xen_guest.c).
 */
#ifndef REALFRONT_ASM_XEN_HYPERCALL_H
#define REALFRONT_ASM_XEN_HYPERCALL_H
#include <xen/interface/xen.h>

/* The register frame an event handler gets (arch/arm/include/asm/ptrace.h); never looked into here. */
struct pt_regs;
int HYPERVISOR_xen_version(int cmd, void *arg);
int HYPERVISOR_console_io(int cmd, int count, char *str);
int HYPERVISOR_grant_table_op(unsigned int cmd, void *uop, unsigned int count);
int HYPERVISOR_sched_op(int cmd, void *arg);
int HYPERVISOR_event_channel_op(int cmd, void *arg);
unsigned long HYPERVISOR_hvm_op(int op, void *arg);
int HYPERVISOR_memory_op(unsigned int cmd, void *arg);
#endif

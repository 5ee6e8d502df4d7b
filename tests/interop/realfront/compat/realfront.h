/*
 * realfront.h - the compat layer's inside: the guest that a real frontend runs in, on the
 * shared-memory file (docs/shared-memory.md). xen_guest.c is the hypervisor, the toolstack and
 * xenstored for this guest; uboot_services.c gives U-Boot's own Xen services (gnttab, events,
 * xenbus) on top of it; uboot_dm.c the driver model. Plain C types only, so both the files built
 * with Xen's headers and those built with U-Boot's can include it.
 */
#ifndef REALFRONT_H
#define REALFRONT_H
#include <stddef.h>
#include <stdint.h>

#define RF_FRONT_DOMID 1u
#define RF_BACK_DOMID 0u

/* ---- the guest's memory: the file's guest region ---- */
/* Creates the file (the guest is its creator) with `data_pages` pages of guest RAM after the grant
 * table and the reserved ring pages; the frontend's own allocations come from those data pages. */
void rf_guest_create(const char *path, unsigned data_pages);
uint8_t *rf_guest_base(void);
size_t rf_guest_length(void);
unsigned long guest_virt_to_phys(const void *va);
void *guest_phys_to_virt(unsigned long pa);
int rf_in_guest(const void *p, size_t n);

/* The guest heap (U-Boot's malloc arena) over the data pages. */
void *guest_malloc(size_t size);
void *guest_memalign(size_t alignment, size_t size);
void *guest_calloc(size_t n, size_t size);
void guest_free(void *p);
char *guest_strdup(const char *s);
size_t rf_heap_in_use(void);
unsigned rf_heap_bad_frees(void);

/* The grant table: v1 entries in the file at guest frame 0. */
uint32_t rf_grant_entries(void);
volatile uint16_t *rf_grant_flags(uint32_t ref);
void rf_grant_fill(uint32_t ref, uint16_t domid, uint32_t frame);

/* ---- the hypervisor's event channels ---- */
int rf_evtchn_alloc_unbound(uint16_t remote, uint32_t *port);
int rf_evtchn_send(uint32_t port);
int rf_evtchn_close(uint32_t port);
/* Events the backend sent since the last call (its counter in the file moved). */
uint32_t rf_evtchn_take_events(void);

/* ---- xenstored: one tree, the backend's keys live in the file ---- */
/* Errors are XenStore's: 0, or an errno value (ENOENT, EAGAIN, EINVAL...). Values are C strings. */
int rf_xs_read(uint32_t txn, const char *path, char **value /* malloc'd by the C library */);
int rf_xs_write(uint32_t txn, const char *path, const char *value);
int rf_xs_rm(uint32_t txn, const char *path);
int rf_xs_directory(uint32_t txn, const char *path, char ***names /* C library */, unsigned *count);
int rf_xs_transaction_start(uint32_t *txn);
int rf_xs_transaction_end(uint32_t txn, int abort);

/* ---- the toolstack's part ---- */
/* Writes the frontend and backend areas as libxl does before the guest starts (device/vbd/<devid>
 * with backend, backend-id, state 1; backend/vbd/<domid>/<devid> with frontend, mode, state 1). */
void rf_toolstack_add_disk(unsigned devid, const char *mode);
/* libxl waits for the backend to reach InitWait before it lets the guest run. 0 on time. */
int rf_toolstack_wait_backend(unsigned timeout_ms);
/* The domain is destroyed (a panic): the toolstack tells the backend the frontend is gone. */
void rf_toolstack_destroy_domain(void);

/* ---- what happened, for the report ---- */
struct rf_stats {
    unsigned notifies;          /* EVTCHNOP_send to the backend */
    unsigned events;            /* backend events seen */
    unsigned grants_issued;
    unsigned grants_refused_end; /* end_access while the backend still had it mapped */
    unsigned grants_max_live;
    unsigned grants_live;
    char keys_written[512];     /* frontend keys, in order of first write */
    char keys_read[1024];       /* keys read, in order of first read */
    char states[64];            /* the frontend's state writes, e.g. "1>4>5>6>1" */
};
extern struct rf_stats rf_stats;
uint32_t rf_back_state(void);
uint32_t rf_front_state(void);
uint64_t rf_now_ms(void);
void rf_cpu_relax(void);
#endif

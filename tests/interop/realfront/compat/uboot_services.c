/*
 * uboot_services.c - the guest-side Xen services U-Boot gives its drivers, with the behaviour of
 * U-Boot 2023.01's drivers/xen/{gnttab,events,hypervisor,xenbus}.c (read, not copied), on top of
 * the hypervisor/xenstored stand-in of xen_guest.c:
 *  - gnttab: one grant frame (NR_GRANT_ENTRIES = 512), refs 8.. on a LIFO free list, so the first
 *    grant is ref 511; end_access refuses (and warns, returns 0) while the backend has the page
 *    mapped (GTF_reading/GTF_writing), else clears the flags with a cmpxchg and frees the ref.
 *  - events: evtchn_alloc_unbound through EVTCHNOP_alloc_unbound, handler bound to the port;
 *    eventchn_poll delivers pending, unmasked ports to their handlers; ports start masked.
 *  - xenbus: read/write/rm/ls/transactions as XenStore requests, errors as XenStore's error names
 *    ("ENOENT"...) in a malloc'd string; xenbus_switch_state reads the state first and writes only
 *    a change; xenbus_wait_for_state_change polls every WAIT_XENBUS_POLL_TO_MS (1 ms) with no
 *    timeout, as U-Boot's does.
 * Built with U-Boot's own include/xen headers (from the source package) and the compat headers.
 */
#include <common.h>
#include <stdarg.h>
#include <sched.h>
#include <time.h>
#include <linux/bug.h>
#include <asm/xen/system.h>
#include <asm/global_data.h>
#include <xen/events.h>
#include <xen/gnttab.h>
#include <xen/hvm.h>
#include <xen/xenbus.h>

#include "realfront.h"

struct global_data compat_gd_data;
struct global_data *compat_gd = &compat_gd_data;

/* ------------------------------------------------------------------ time, pause, panic */

ulong get_timer(ulong base) { return (ulong)rf_now_ms() - base; }
int ctrlc(void) { return 0; }
void cpu_relax(void) { rf_cpu_relax(); }

void (*rf_panic_hook)(const char *what);
void guest_panic(const char *what)
{
    printf("### ERROR ### Please RESET the board ### (%s)\n", what);
    fflush(stdout);
    if (rf_panic_hook) rf_panic_hook(what);
    rf_toolstack_destroy_domain();
    exit(1);
}

/* ------------------------------------------------------------------ gnttab.c */

#define NR_RESERVED_ENTRIES 8
#define NR_GRANT_FRAMES 1
#define NR_GRANT_ENTRIES (NR_GRANT_FRAMES * PAGE_SIZE / sizeof(struct grant_entry_v1))

static grant_ref_t gnttab_list[NR_GRANT_ENTRIES];
static int gnttab_ready;

static void put_free_entry(grant_ref_t ref)
{
    gnttab_list[ref] = gnttab_list[0];
    gnttab_list[0] = ref;
}

static grant_ref_t get_free_entry(void)
{
    unsigned int ref = gnttab_list[0];
    BUG_ON(ref < NR_RESERVED_ENTRIES || ref >= NR_GRANT_ENTRIES);
    gnttab_list[0] = gnttab_list[ref];
    return ref;
}

void init_gnttab(void)
{
    BUG_ON(NR_GRANT_ENTRIES > rf_grant_entries());
    for (unsigned i = NR_RESERVED_ENTRIES; i < NR_GRANT_ENTRIES; i++) put_free_entry(i);
    gnttab_ready = 1;
}

grant_ref_t gnttab_grant_access(domid_t domid, unsigned long frame, int readonly)
{
    if (!gnttab_ready) init_gnttab();
    grant_ref_t ref = get_free_entry();
    rf_grant_fill(ref, domid, (uint32_t)frame);
    wmb();
    readonly *= GTF_readonly;
    *rf_grant_flags(ref) = (u16)(GTF_permit_access | readonly);
    rf_stats.grants_issued++;
    if (++rf_stats.grants_live > rf_stats.grants_max_live) rf_stats.grants_max_live = rf_stats.grants_live;
    return ref;
}

int gnttab_end_access(grant_ref_t ref)
{
    u16 flags, nflags;
    BUG_ON(ref >= NR_GRANT_ENTRIES || ref < NR_RESERVED_ENTRIES);
    volatile u16 *f = rf_grant_flags(ref);
    nflags = *f;
    do {
        flags = nflags;
        if (flags & (GTF_reading | GTF_writing)) {
            printf("WARNING: g.e. still in use! (%x)\n", flags);
            rf_stats.grants_refused_end++;
            return 0;
        }
    } while ((nflags = synch_cmpxchg((u16 *)f, flags, 0)) != flags);
    put_free_entry(ref);
    rf_stats.grants_live--;
    return 1;
}

/* ------------------------------------------------------------------ events.c / hypervisor.c */

#define NR_EVS 64
struct ev_action {
    void (*handler)(evtchn_port_t, struct pt_regs *, void *);
    void *data;
};
static struct ev_action ev_actions[NR_EVS];
static u8 ev_masked[NR_EVS], ev_pending[NR_EVS], ev_bound[NR_EVS];
static evtchn_port_t block_port_seen;

static void default_handler(evtchn_port_t port, struct pt_regs *regs, void *ignore)
{
    (void)port; (void)regs; (void)ignore;
}

void mask_evtchn(uint32_t port) { if (port < NR_EVS) ev_masked[port] = 1; }
void unmask_evtchn(uint32_t port) { if (port < NR_EVS) ev_masked[port] = 0; }
void clear_evtchn(uint32_t port) { if (port < NR_EVS) ev_pending[port] = 0; }

int evtchn_alloc_unbound(domid_t pal, void (*handler)(evtchn_port_t, struct pt_regs *, void *),
                         void *data, evtchn_port_t *port)
{
    struct evtchn_alloc_unbound op;
    op.dom = DOMID_SELF;
    op.remote_dom = pal;
    int rc = HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &op);
    if (rc) {
        printf("ERROR: alloc_unbound failed with rc=%d", rc);
        return rc;
    }
    if (!handler) handler = default_handler;
    BUG_ON(op.port >= NR_EVS);
    ev_actions[op.port].handler = handler;
    ev_actions[op.port].data = data;
    ev_bound[op.port] = 1;
    ev_masked[op.port] = 1; /* bind_evtchn leaves it masked until the driver unmasks it */
    if (pal == RF_BACK_DOMID && !block_port_seen) block_port_seen = op.port;
    *port = op.port;
    return rc;
}

void unbind_evtchn(evtchn_port_t port)
{
    struct evtchn_close close;
    mask_evtchn(port);
    clear_evtchn(port);
    if (port < NR_EVS) {
        ev_actions[port].handler = default_handler;
        ev_actions[port].data = NULL;
        ev_bound[port] = 0;
    }
    close.port = port;
    int rc = HYPERVISOR_event_channel_op(EVTCHNOP_close, &close);
    if (rc) printf("WARN: close_port %d failed rc=%d. ignored\n", port, rc);
}

void do_hypervisor_callback(struct pt_regs *regs)
{
    if (block_port_seen && ev_bound[block_port_seen] && rf_evtchn_take_events()) ev_pending[block_port_seen] = 1;
    for (evtchn_port_t p = 0; p < NR_EVS; p++) {
        if (!ev_pending[p] || ev_masked[p]) continue;
        ev_pending[p] = 0;
        if (ev_actions[p].handler) ev_actions[p].handler(p, regs, ev_actions[p].data);
    }
}

void eventchn_poll(void) { do_hypervisor_callback(NULL); }

/* ------------------------------------------------------------------ xenbus.c */

static char *xs_error(int err)
{
    const char *name;
    switch (err) {
    case ENOENT: name = "ENOENT"; break;
    case EAGAIN: name = "EAGAIN"; break;
    case EACCES: name = "EACCES"; break;
    case EINVAL: name = "EINVAL"; break;
    case EBUSY: name = "EBUSY"; break;
    case E2BIG: name = "E2BIG"; break;
    case ENOSPC: name = "ENOSPC"; break;
    default: name = "EIO"; break;
    }
    return strdup(name);
}

/* A value from xenstored arrives in a reply buffer from U-Boot's heap. */
static char *to_guest(char *host)
{
    char *g = strdup(host);
    (free)(host);
    return g;
}

char *xenbus_read(xenbus_transaction_t xbt, const char *path, char **value)
{
    char *v = NULL;
    int err = rf_xs_read((uint32_t)xbt, path, &v);
    if (err) {
        *value = NULL;
        return xs_error(err);
    }
    *value = to_guest(v);
    return NULL;
}

char *xenbus_write(xenbus_transaction_t xbt, const char *path, const char *value)
{
    int err = rf_xs_write((uint32_t)xbt, path, value);
    return err ? xs_error(err) : NULL;
}

char *xenbus_rm(xenbus_transaction_t xbt, const char *path)
{
    int err = rf_xs_rm((uint32_t)xbt, path);
    return err ? xs_error(err) : NULL;
}

char *xenbus_ls(xenbus_transaction_t xbt, const char *prefix, char ***contents)
{
    char **names = NULL;
    unsigned n = 0;
    int err = rf_xs_directory((uint32_t)xbt, prefix, &names, &n);
    if (err) {
        *contents = NULL;
        return xs_error(err);
    }
    char **res = malloc(sizeof(res[0]) * (n + 1));
    for (unsigned i = 0; i < n; i++) res[i] = to_guest(names[i]);
    res[n] = NULL;
    (free)(names);
    *contents = res;
    return NULL;
}

char *xenbus_transaction_start(xenbus_transaction_t *xbt)
{
    uint32_t t;
    int err = rf_xs_transaction_start(&t);
    if (err) return xs_error(err);
    *xbt = t;
    return NULL;
}

char *xenbus_transaction_end(xenbus_transaction_t t, int abort, int *retry)
{
    *retry = 0;
    int err = rf_xs_transaction_end((uint32_t)t, abort);
    if (err == EAGAIN) {
        *retry = 1;
        return NULL;
    }
    return err ? xs_error(err) : NULL;
}

int xenbus_read_integer(const char *path)
{
    char *res, *buf;
    int t;
    res = xenbus_read(XBT_NIL, path, &buf);
    if (res) {
        printk("Failed to read %s.\n", path);
        free(res);
        return -1;
    }
    sscanf(buf, "%d", &t);
    free(buf);
    return t;
}

char *xenbus_printf(xenbus_transaction_t xbt, const char *node, const char *path, const char *fmt, ...)
{
    char fullpath[256], val[256];
    va_list args;
    BUG_ON(strlen(node) + strlen(path) + 1 >= sizeof fullpath);
    BUG_ON((size_t)snprintf(fullpath, sizeof fullpath, "%s/%s", node, path) >= sizeof fullpath);
    va_start(args, fmt);
    int n = vsnprintf(val, sizeof val, fmt, args);
    va_end(args);
    BUG_ON(n < 0 || (size_t)n >= sizeof val);
    return xenbus_write(xbt, fullpath, val);
}

char *xenbus_switch_state(xenbus_transaction_t xbt, const char *path, XenbusState state)
{
    char *current_state, *msg = NULL, *msg2 = NULL, value[2];
    XenbusState rs;
    int xbt_flag = 0, retry = 0;
    do {
        if (xbt == XBT_NIL) {
            msg = xenbus_transaction_start(&xbt);
            if (msg) goto exit;
            xbt_flag = 1;
        }
        msg = xenbus_read(xbt, path, &current_state);
        if (msg) goto exit;
        rs = (XenbusState)(current_state[0] - '0');
        free(current_state);
        if (rs == state) {
            msg = NULL;
            goto exit;
        }
        snprintf(value, 2, "%d", state);
        msg = xenbus_write(xbt, path, value);
exit:
        if (xbt_flag) {
            msg2 = xenbus_transaction_end(xbt, 0, &retry);
            xbt = XBT_NIL;
        }
        if (msg == NULL && msg2 != NULL) msg = msg2;
        else free(msg2);
    } while (retry);
    return msg;
}

#define WAIT_XENBUS_POLL_TO_MS 1
char *xenbus_wait_for_state_change(const char *path, XenbusState *state)
{
    for (;;) {
        char *res, *msg;
        XenbusState rs;
        msg = xenbus_read(XBT_NIL, path, &res);
        if (msg) return msg;
        rs = (XenbusState)(res[0] - 48);
        free(res);
        if (rs == *state) {
            wait_event_timeout(NULL, false, WAIT_XENBUS_POLL_TO_MS);
        } else {
            *state = rs;
            break;
        }
    }
    return NULL;
}

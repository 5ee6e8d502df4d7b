/*
 * layout.c - prints the blkif wire layout as gcc sees it in Xen's public headers.
 *
 * One fact per line, "key value...":
 *   <struct>.<field> <offset> <size>     offsetof/sizeof on the official structures
 *   <struct>.(size) 0 <size>             sizeof the whole structure
 *   ring.order<k> <bytes> <entries>      __RING_SIZE on a ring area of 4096<<k bytes
 *   const.<NAME> <value>                 a protocol constant
 * The C# side (RingTool layout, LayoutInteropTests) prints/expects the same lines.
 */
#include "common.h"

#define FIELD(type, tag, field) \
    printf("%s.%s %u %u\n", tag, #field, (unsigned)offsetof(type, field), (unsigned)sizeof(((type *)0)->field))
#define SIZE(type, tag) printf("%s.(size) 0 %u\n", tag, (unsigned)sizeof(type))
#define CONST(name) printf("const.%s %ld\n", #name, (long)(name))

int main(void)
{
    printf("abi %s\n", INTEROP_ABI);

    FIELD(blkif_sring_t, "blkif_sring", req_prod);
    FIELD(blkif_sring_t, "blkif_sring", req_event);
    FIELD(blkif_sring_t, "blkif_sring", rsp_prod);
    FIELD(blkif_sring_t, "blkif_sring", rsp_event);
    FIELD(blkif_sring_t, "blkif_sring", pvt);
    FIELD(blkif_sring_t, "blkif_sring", __pad);
    FIELD(blkif_sring_t, "blkif_sring", ring);
    SIZE(union blkif_sring_entry, "blkif_sring_entry");

    FIELD(blkif_request_t, "blkif_request", operation);
    FIELD(blkif_request_t, "blkif_request", nr_segments);
    FIELD(blkif_request_t, "blkif_request", handle);
    FIELD(blkif_request_t, "blkif_request", id);
    FIELD(blkif_request_t, "blkif_request", sector_number);
    FIELD(blkif_request_t, "blkif_request", seg);
    SIZE(blkif_request_t, "blkif_request");

    FIELD(struct blkif_request_segment, "blkif_request_segment", gref);
    FIELD(struct blkif_request_segment, "blkif_request_segment", first_sect);
    FIELD(struct blkif_request_segment, "blkif_request_segment", last_sect);
    SIZE(struct blkif_request_segment, "blkif_request_segment");

    FIELD(blkif_request_discard_t, "blkif_request_discard", flag);
    FIELD(blkif_request_discard_t, "blkif_request_discard", id);
    FIELD(blkif_request_discard_t, "blkif_request_discard", sector_number);
    FIELD(blkif_request_discard_t, "blkif_request_discard", nr_sectors);

    FIELD(blkif_request_indirect_t, "blkif_request_indirect", indirect_op);
    FIELD(blkif_request_indirect_t, "blkif_request_indirect", nr_segments);
    FIELD(blkif_request_indirect_t, "blkif_request_indirect", id);
    FIELD(blkif_request_indirect_t, "blkif_request_indirect", sector_number);
    FIELD(blkif_request_indirect_t, "blkif_request_indirect", handle);
    FIELD(blkif_request_indirect_t, "blkif_request_indirect", indirect_grefs);
    SIZE(blkif_request_indirect_t, "blkif_request_indirect");

    FIELD(blkif_response_t, "blkif_response", id);
    FIELD(blkif_response_t, "blkif_response", operation);
    FIELD(blkif_response_t, "blkif_response", status);
    SIZE(blkif_response_t, "blkif_response");

    for (unsigned order = 0; order <= INTEROP_MAX_ORDER; order++) {
        /* __RING_SIZE needs a pointer; it only does arithmetic on it, so any aligned address works. */
        static union { blkif_sring_t s; unsigned char bytes[64 + 512]; } probe;
        blkif_sring_t *sring = &probe.s;
        unsigned bytes = INTEROP_RING_BYTES(order);
        printf("ring.order%u %u %u\n", order, bytes, (unsigned)__RING_SIZE(sring, bytes));
    }

    CONST(XEN_PAGE_SHIFT);
    CONST(BLKIF_MAX_SEGMENTS_PER_REQUEST);
    CONST(BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST);
    CONST(BLKIF_OP_READ);
    CONST(BLKIF_OP_WRITE);
    CONST(BLKIF_OP_WRITE_BARRIER);
    CONST(BLKIF_OP_FLUSH_DISKCACHE);
    CONST(BLKIF_OP_RESERVED_1);
    CONST(BLKIF_OP_DISCARD);
    CONST(BLKIF_OP_INDIRECT);
    CONST(BLKIF_DISCARD_SECURE);
    CONST(BLKIF_RSP_OKAY);
    CONST(BLKIF_RSP_ERROR);
    CONST(BLKIF_RSP_EOPNOTSUPP);
    CONST(VDISK_CDROM);
    CONST(VDISK_REMOVABLE);
    CONST(VDISK_READONLY);
    printf("const.XEN_IO_PROTO_ABI_NATIVE %s\n", XEN_IO_PROTO_ABI_NATIVE);
    return 0;
}

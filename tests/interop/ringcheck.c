/*
 * ringcheck.c - exchanges real ring pages with the C# model, both ways.
 *
 *   ringcheck check  <page> <expect>                      decode a page C# wrote, verify it
 *   ringcheck encode <order> <start> <page> <expect>      write a page with the official macros
 *
 * The page is the raw ring area (4096 << order bytes). The expect file is the text
 * format described in README.md; the same format goes both ways. Decoding goes through
 * a blkif_back_ring (requests) and a blkif_front_ring (responses) attached to the page,
 * using RING_GET_REQUEST / RING_GET_RESPONSE exactly as blkback and blkfront do.
 *
 * Output: one "PASS <abi> <what>" or "FAIL <abi> <what>: <why>" line per check.
 * Exit status: 0 all passed, 1 a check failed, 2 bad usage or unreadable input.
 */
#include "common.h"
#include <errno.h>
#include <stdarg.h>

static int failures;
static char what[128];

static void report(int ok, const char *fmt, ...)
{
    printf("%s %s %s", ok ? "PASS" : "FAIL", INTEROP_ABI, what);
    if (!ok) {
        va_list ap;
        va_start(ap, fmt);
        printf(": ");
        vprintf(fmt, ap);
        va_end(ap);
        failures++;
    }
    printf("\n");
}

/* Field comparison that keeps the first mismatch for the report. */
static char mismatch[256];
#define EXPECT_EQ(actual, expected, name) do {                                              \
    unsigned long long a_ = (unsigned long long)(actual), e_ = (unsigned long long)(expected); \
    if (a_ != e_ && !mismatch[0])                                                           \
        snprintf(mismatch, sizeof mismatch, "%s is %llu, expected %llu", name, a_, e_);     \
} while (0)

static void __attribute__((noreturn)) die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "ringcheck (%s): ", INTEROP_ABI);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    exit(2);
}

/* ---- tokens of one expect-file line ---- */

#define MAX_TOKENS 64
struct line {
    int n;
    char *tok[MAX_TOKENS];
    int lineno;
};

static unsigned long long num(const struct line *l, int i)
{
    if (i >= l->n) die("line %d: missing field %d", l->lineno, i);
    errno = 0;
    char *end;
    const char *s = l->tok[i];
    unsigned long long v = (s[0] == '-') ? (unsigned long long)strtoll(s, &end, 0) : strtoull(s, &end, 0);
    if (errno || *end) die("line %d: '%s' is not a number", l->lineno, s);
    return v;
}

/* ---- expected entries, built with the official structs on zeroed memory ---- */

static void build_rw(const struct line *l, union interop_request *u)
{
    memset(u, 0, sizeof *u);
    u->rw.operation = (uint8_t)num(l, 2);
    u->rw.nr_segments = (uint8_t)num(l, 3);
    u->rw.handle = (blkif_vdev_t)num(l, 4);
    u->rw.id = num(l, 5);
    u->rw.sector_number = num(l, 6);
    unsigned n = u->rw.nr_segments;
    if (n > BLKIF_MAX_SEGMENTS_PER_REQUEST) die("line %d: %u segments", l->lineno, n);
    for (unsigned i = 0; i < n; i++) {
        u->rw.seg[i].gref = (grant_ref_t)num(l, 7 + 3 * (int)i);
        u->rw.seg[i].first_sect = (uint8_t)num(l, 8 + 3 * (int)i);
        u->rw.seg[i].last_sect = (uint8_t)num(l, 9 + 3 * (int)i);
    }
}

static void build_discard(const struct line *l, union interop_request *u)
{
    memset(u, 0, sizeof *u);
    u->discard.operation = BLKIF_OP_DISCARD;
    u->discard.flag = (uint8_t)num(l, 2);
    u->discard.handle = (blkif_vdev_t)num(l, 3);
    u->discard.id = num(l, 4);
    u->discard.sector_number = num(l, 5);
    u->discard.nr_sectors = num(l, 6);
}

static void build_indirect(const struct line *l, union interop_request *u)
{
    memset(u, 0, sizeof *u);
    u->indirect.operation = BLKIF_OP_INDIRECT;
    u->indirect.indirect_op = (uint8_t)num(l, 2);
    u->indirect.nr_segments = (uint16_t)num(l, 3);
    u->indirect.handle = (blkif_vdev_t)num(l, 4);
    u->indirect.id = num(l, 5);
    u->indirect.sector_number = num(l, 6);
    for (int i = 0; i < BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST; i++)
        u->indirect.indirect_grefs[i] = (grant_ref_t)num(l, 7 + i);
}

static void build_rsp(const struct line *l, blkif_response_t *r)
{
    memset(r, 0, sizeof *r);
    r->id = num(l, 2);
    r->operation = (uint8_t)num(l, 3);
    r->status = (int16_t)num(l, 4);
}

/* ring.h's notify test, run on a scratch ring exactly as a producer would. */
static int simulate_notify(int requests, RING_IDX old, RING_IDX new_, RING_IDX event)
{
    static union { blkif_sring_t s; unsigned char bytes[4096]; } scratch __attribute__((aligned(4096)));
    blkif_sring_t *sring = &scratch.s;
    int notify;
    SHARED_RING_INIT(sring);
    if (requests) {
        blkif_front_ring_t front;
        FRONT_RING_ATTACH(&front, sring, old, sizeof scratch);
        sring->req_prod = old;
        sring->req_event = event;
        front.req_prod_pvt = new_;
        RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&front, notify);
    } else {
        blkif_back_ring_t back;
        BACK_RING_ATTACH(&back, sring, old, sizeof scratch);
        sring->rsp_prod = old;
        sring->rsp_event = event;
        back.rsp_prod_pvt = new_;
        RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&back, notify);
    }
    return notify;
}

/* ---- check: decode a page written by C# ---- */

static int split(char *text, struct line *l)
{
    l->n = 0;
    for (char *t = strtok(text, " \t\r\n"); t; t = strtok(NULL, " \t\r\n")) {
        if (l->n == MAX_TOKENS) die("line %d: too many fields", l->lineno);
        l->tok[l->n++] = t;
    }
    return l->n;
}

static int check(const char *page_path, const char *expect_path)
{
    size_t length = 0;
    unsigned char *page = interop_read_file(page_path, &length);
    if (!page) die("cannot read page %s", page_path);
    FILE *f = fopen(expect_path, "r");
    if (!f) die("cannot read %s", expect_path);

    blkif_sring_t *sring = (blkif_sring_t *)page;
    blkif_front_ring_t front = { 0 };
    blkif_back_ring_t back = { 0 };
    int attached = 0;
    long order = -1;
    char text[2048];
    struct line l = { 0 };

    while (fgets(text, sizeof text, f)) {
        l.lineno++;
        if (split(text, &l) == 0 || l.tok[0][0] == '#') continue;
        const char *kind = l.tok[0];
        mismatch[0] = 0;

        if (!strcmp(kind, "abi")) {
            snprintf(what, sizeof what, "page abi");
            if (l.n < 2 || strcmp(l.tok[1], INTEROP_ABI)) die("page is for %s, this build is %s", l.n > 1 ? l.tok[1] : "?", INTEROP_ABI);
            continue;
        }
        if (!strcmp(kind, "order")) {
            order = (long)num(&l, 1);
            if (order < 0 || order > INTEROP_MAX_ORDER) die("order %ld", order);
            snprintf(what, sizeof what, "order%ld page size", order);
            report(length == INTEROP_RING_BYTES(order), "file has %zu bytes, ring order %ld needs %u", length, order, INTEROP_RING_BYTES(order));
            if (length < INTEROP_RING_BYTES(order)) die("page too short");
            continue;
        }
        if (order < 0) die("line %d: 'order' must come first", l.lineno);
        if (!strcmp(kind, "start")) {
            RING_IDX start = (RING_IDX)num(&l, 1);
            FRONT_RING_ATTACH(&front, sring, start, INTEROP_RING_BYTES(order));
            BACK_RING_ATTACH(&back, sring, start, INTEROP_RING_BYTES(order));
            attached = 1;
            continue;
        }
        if (!strcmp(kind, "entries")) {
            if (!attached) die("line %d: 'start' must come before 'entries'", l.lineno);
            snprintf(what, sizeof what, "order%ld RING_SIZE", order);
            EXPECT_EQ(RING_SIZE(&front), num(&l, 1), "front RING_SIZE");
            EXPECT_EQ(RING_SIZE(&back), num(&l, 1), "back RING_SIZE");
            report(!mismatch[0], "%s", mismatch);
            continue;
        }
        if (!attached) die("line %d: 'start' must come before entries", l.lineno);

        if (!strcmp(kind, "indices")) {
            snprintf(what, sizeof what, "order%ld sring header", order);
            EXPECT_EQ(sring->req_prod, num(&l, 1), "req_prod");
            EXPECT_EQ(sring->req_event, num(&l, 2), "req_event");
            EXPECT_EQ(sring->rsp_prod, num(&l, 3), "rsp_prod");
            EXPECT_EQ(sring->rsp_event, num(&l, 4), "rsp_event");
            for (size_t i = 0; i < sizeof sring->pvt.pvt_pad; i++) EXPECT_EQ(sring->pvt.pvt_pad[i], 0, "pvt byte");
            for (size_t i = 0; i < sizeof sring->__pad; i++) EXPECT_EQ(sring->__pad[i], 0, "__pad byte");
            report(!mismatch[0], "%s", mismatch);
        } else if (!strcmp(kind, "req") || !strcmp(kind, "discard") || !strcmp(kind, "indirect")) {
            RING_IDX idx = (RING_IDX)num(&l, 1);
            union interop_request expected;
            const blkif_request_t *r = RING_GET_REQUEST(&back, idx);
            snprintf(what, sizeof what, "order%ld %s@%u slot %u", order, kind, idx, idx & (RING_SIZE(&back) - 1));
            if (kind[0] == 'r') {
                build_rw(&l, &expected);
                EXPECT_EQ(r->operation, expected.rw.operation, "operation");
                EXPECT_EQ(r->nr_segments, expected.rw.nr_segments, "nr_segments");
                EXPECT_EQ(r->handle, expected.rw.handle, "handle");
                EXPECT_EQ(r->id, expected.rw.id, "id");
                EXPECT_EQ(r->sector_number, expected.rw.sector_number, "sector_number");
                for (unsigned i = 0; i < expected.rw.nr_segments; i++) {
                    EXPECT_EQ(r->seg[i].gref, expected.rw.seg[i].gref, "seg.gref");
                    EXPECT_EQ(r->seg[i].first_sect, expected.rw.seg[i].first_sect, "seg.first_sect");
                    EXPECT_EQ(r->seg[i].last_sect, expected.rw.seg[i].last_sect, "seg.last_sect");
                }
            } else if (kind[0] == 'd') {
                const blkif_request_discard_t *d = (const blkif_request_discard_t *)r;
                build_discard(&l, &expected);
                EXPECT_EQ(d->operation, BLKIF_OP_DISCARD, "operation");
                EXPECT_EQ(d->flag, expected.discard.flag, "flag");
                EXPECT_EQ(d->handle, expected.discard.handle, "handle");
                EXPECT_EQ(d->id, expected.discard.id, "id");
                EXPECT_EQ(d->sector_number, expected.discard.sector_number, "sector_number");
                EXPECT_EQ(d->nr_sectors, expected.discard.nr_sectors, "nr_sectors");
            } else {
                const blkif_request_indirect_t *in = (const blkif_request_indirect_t *)r;
                build_indirect(&l, &expected);
                EXPECT_EQ(in->operation, BLKIF_OP_INDIRECT, "operation");
                EXPECT_EQ(in->indirect_op, expected.indirect.indirect_op, "indirect_op");
                EXPECT_EQ(in->nr_segments, expected.indirect.nr_segments, "nr_segments");
                EXPECT_EQ(in->handle, expected.indirect.handle, "handle");
                EXPECT_EQ(in->id, expected.indirect.id, "id");
                EXPECT_EQ(in->sector_number, expected.indirect.sector_number, "sector_number");
                for (int i = 0; i < BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST; i++)
                    EXPECT_EQ(in->indirect_grefs[i], expected.indirect.indirect_grefs[i], "indirect_grefs");
            }
            /* Byte-exact: the whole entry, padding and unused segments included, must be the zeroed struct. */
            if (!mismatch[0] && memcmp(r, &expected, sizeof(blkif_request_t)) != 0) {
                size_t i = 0;
                while (((const unsigned char *)r)[i] == ((const unsigned char *)&expected)[i]) i++;
                snprintf(mismatch, sizeof mismatch, "fields agree but byte %zu of the entry is 0x%02x, expected 0x%02x",
                         i, ((const unsigned char *)r)[i], ((const unsigned char *)&expected)[i]);
            }
            report(!mismatch[0], "%s", mismatch);
        } else if (!strcmp(kind, "rsp")) {
            RING_IDX idx = (RING_IDX)num(&l, 1);
            blkif_response_t expected;
            const blkif_response_t *r = RING_GET_RESPONSE(&front, idx);
            snprintf(what, sizeof what, "order%ld rsp@%u slot %u", order, idx, idx & (RING_SIZE(&front) - 1));
            build_rsp(&l, &expected);
            EXPECT_EQ(r->id, expected.id, "id");
            EXPECT_EQ(r->operation, expected.operation, "operation");
            EXPECT_EQ((uint16_t)r->status, (uint16_t)expected.status, "status");
            if (!mismatch[0] && memcmp(r, &expected, sizeof expected) != 0) {
                size_t i = 0;
                while (((const unsigned char *)r)[i] == ((const unsigned char *)&expected)[i]) i++;
                snprintf(mismatch, sizeof mismatch, "fields agree but byte %zu (padding) is 0x%02x, expected 0",
                         i, ((const unsigned char *)r)[i]);
            }
            report(!mismatch[0], "%s", mismatch);
        } else if (!strcmp(kind, "notify")) {
            if (l.n < 6) die("line %d: notify needs 5 fields", l.lineno);
            int requests = !strcmp(l.tok[1], "req");
            RING_IDX old = (RING_IDX)num(&l, 2), new_ = (RING_IDX)num(&l, 3), event = (RING_IDX)num(&l, 4);
            snprintf(what, sizeof what, "notify %s old=%u new=%u event=%u", l.tok[1], old, new_, event);
            int got = simulate_notify(requests, old, new_, event);
            report(got == (int)num(&l, 5), "ring.h says %d, the expect file says %d", got, (int)num(&l, 5));
        } else {
            die("line %d: unknown record '%s'", l.lineno, kind);
        }
    }
    fclose(f);
    free(page);
    return failures ? 1 : 0;
}

/* ---- encode: a page written with the official structs and macros ---- */

static FILE *out;

/* Values chosen here, not by the C# side, so a shared misunderstanding cannot cancel out. */
static uint64_t c_id(unsigned order, unsigned k) { return 0xC100000000000000ull | ((uint64_t)order << 48) | ((uint64_t)k << 32) | (0x89ABCDE0u + k); }
static uint64_t c_sector(unsigned k) { return 0x0000000123456780ull + (uint64_t)k * 0x10001ull; }
static const blkif_vdev_t c_handle = 0x0ca3;

static void put_request(blkif_front_ring_t *front, const union interop_request *u)
{
    /* Built privately, then copied whole, as a frontend does: no stale byte reaches the ring. */
    memcpy(RING_GET_REQUEST(front, front->req_prod_pvt), u, sizeof(blkif_request_t));
    front->req_prod_pvt++;
}

static void write_rw(RING_IDX idx, const blkif_request_t *r)
{
    fprintf(out, "req %u %u %u %u %llu %llu", idx, r->operation, r->nr_segments, r->handle,
            (unsigned long long)r->id, (unsigned long long)r->sector_number);
    for (unsigned i = 0; i < r->nr_segments; i++)
        fprintf(out, " %u %u %u", r->seg[i].gref, r->seg[i].first_sect, r->seg[i].last_sect);
    fprintf(out, "\n");
}

static int encode(unsigned order, RING_IDX start, const char *page_path, const char *expect_path)
{
    unsigned bytes = INTEROP_RING_BYTES(order);
    unsigned char *page = aligned_alloc(INTEROP_PAGE_SIZE, bytes);
    if (!page) die("out of memory");
    memset(page, 0, bytes);
    out = fopen(expect_path, "w");
    if (!out) die("cannot write %s", expect_path);

    blkif_sring_t *sring = (blkif_sring_t *)page;
    blkif_front_ring_t front;
    blkif_back_ring_t back;
    int notify, work;
    union interop_request u;
    RING_IDX ids_at = start;

    /* A ring that has been running for a while: indices at `start`, both sides idle. */
    SHARED_RING_INIT(sring);
    sring->req_prod = sring->rsp_prod = start;
    FRONT_RING_ATTACH(&front, sring, start, bytes);
    BACK_RING_ATTACH(&back, sring, start, bytes);
    RING_FINAL_CHECK_FOR_REQUESTS(&back, work);
    if (work) die("idle ring has work");
    RING_FINAL_CHECK_FOR_RESPONSES(&front, work);
    if (work) die("idle ring has responses");
    RING_IDX req_event_before = sring->req_event;

    /* Three requests the backend will answer: READ 1 segment, WRITE 2 segments, WRITE_BARRIER 1 segment. */
    static const uint8_t answered_ops[3] = { BLKIF_OP_READ, BLKIF_OP_WRITE, BLKIF_OP_WRITE_BARRIER };
    static const int16_t answered_status[3] = { BLKIF_RSP_OKAY, BLKIF_RSP_ERROR, BLKIF_RSP_EOPNOTSUPP };
    for (unsigned k = 0; k < 3; k++) {
        memset(&u, 0, sizeof u);
        u.rw.operation = answered_ops[k];
        u.rw.nr_segments = (uint8_t)(k == 1 ? 2 : 1);
        u.rw.handle = c_handle;
        u.rw.id = c_id(order, k);
        u.rw.sector_number = c_sector(k);
        for (unsigned s = 0; s < u.rw.nr_segments; s++) {
            u.rw.seg[s].gref = 0x100 + k * 16 + s;
            u.rw.seg[s].first_sect = 0;
            u.rw.seg[s].last_sect = 7;
        }
        put_request(&front, &u);
    }
    /* WRITE with all 11 segments, sector ranges varying. */
    memset(&u, 0, sizeof u);
    u.rw.operation = BLKIF_OP_WRITE;
    u.rw.nr_segments = BLKIF_MAX_SEGMENTS_PER_REQUEST;
    u.rw.handle = c_handle;
    u.rw.id = c_id(order, 3);
    u.rw.sector_number = 0xFFFFFFFF00ull + order;
    for (unsigned s = 0; s < BLKIF_MAX_SEGMENTS_PER_REQUEST; s++) {
        u.rw.seg[s].gref = 0xFFFFFF00u + s;
        u.rw.seg[s].first_sect = (uint8_t)(s % 8);
        u.rw.seg[s].last_sect = 7;
    }
    put_request(&front, &u);
    /* DISCARD, secure. */
    memset(&u, 0, sizeof u);
    u.discard.operation = BLKIF_OP_DISCARD;
    u.discard.flag = BLKIF_DISCARD_SECURE;
    u.discard.handle = c_handle;
    u.discard.id = c_id(order, 4);
    u.discard.sector_number = 0x0102030405060708ull;
    u.discard.nr_sectors = 0x0000000100000800ull;
    put_request(&front, &u);
    /* INDIRECT READ over 8 indirect pages. */
    memset(&u, 0, sizeof u);
    u.indirect.operation = BLKIF_OP_INDIRECT;
    u.indirect.indirect_op = BLKIF_OP_READ;
    u.indirect.nr_segments = 8 * 512 - 3;
    u.indirect.handle = c_handle;
    u.indirect.id = c_id(order, 5);
    u.indirect.sector_number = 0x00000000DEADBEE0ull;
    for (int g = 0; g < BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST; g++)
        u.indirect.indirect_grefs[g] = 0x80000001u + (unsigned)g * 0x01010101u;
    put_request(&front, &u);
    /* FLUSH_DISKCACHE, no segments. */
    memset(&u, 0, sizeof u);
    u.rw.operation = BLKIF_OP_FLUSH_DISKCACHE;
    u.rw.handle = c_handle;
    u.rw.id = c_id(order, 6);
    put_request(&front, &u);
    /* GPLPV's ABI probe: operation 0xff, everything else zero. */
    memset(&u, 0, sizeof u);
    u.rw.operation = 0xff;
    put_request(&front, &u);

    RING_IDX req_old = sring->req_prod;
    RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&front, notify);
    char pushed[2][96];
    snprintf(pushed[0], sizeof pushed[0], "notify req %u %u %u %d\n", req_old, sring->req_prod, req_event_before, notify);

    /* Backend: copy the first three requests once each and answer them in place. */
    for (unsigned k = 0; k < 3; k++) {
        blkif_request_t copy;
        if (RING_REQUEST_CONS_OVERFLOW(&back, back.req_cons)) die("cons overflow");
        RING_COPY_REQUEST(&back, back.req_cons, &copy);
        back.req_cons++;
        blkif_response_t rsp;
        memset(&rsp, 0, sizeof rsp);
        rsp.id = copy.id;
        rsp.operation = copy.operation;
        rsp.status = answered_status[k];
        memcpy(RING_GET_RESPONSE(&back, back.rsp_prod_pvt), &rsp, sizeof rsp);
        back.rsp_prod_pvt++;
    }
    RING_IDX rsp_old = sring->rsp_prod, rsp_event_before = sring->rsp_event;
    RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&back, notify);
    snprintf(pushed[1], sizeof pushed[1], "notify rsp %u %u %u %d\n", rsp_old, sring->rsp_prod, rsp_event_before, notify);

    /* Frontend: consume the responses, then go idle (rsp_event moves to rsp_cons + 1). */
    while (RING_HAS_UNCONSUMED_RESPONSES(&front)) front.rsp_cons++;
    RING_FINAL_CHECK_FOR_RESPONSES(&front, work);
    if (work) die("responses after final check");

    fprintf(out, "# written by ringcheck encode (gcc, official blkif.h/ring.h)\n");
    fprintf(out, "abi %s\norder %u\nstart %u\nentries %u\n", INTEROP_ABI, order, start, RING_SIZE(&front));
    fprintf(out, "indices %u %u %u %u\n", sring->req_prod, sring->req_event, sring->rsp_prod, sring->rsp_event);
    for (RING_IDX i = ids_at; i != sring->req_prod; i++) {
        if ((RING_IDX)(i - start) < 3) {
            const blkif_response_t *r = RING_GET_RESPONSE(&front, i);
            fprintf(out, "rsp %u %llu %u %d\n", i, (unsigned long long)r->id, r->operation, r->status);
            continue;
        }
        const blkif_request_t *r = RING_GET_REQUEST(&back, i);
        if (r->operation == BLKIF_OP_DISCARD) {
            const blkif_request_discard_t *d = (const blkif_request_discard_t *)r;
            fprintf(out, "discard %u %u %u %llu %llu %llu\n", i, d->flag, d->handle, (unsigned long long)d->id,
                    (unsigned long long)d->sector_number, (unsigned long long)d->nr_sectors);
        } else if (r->operation == BLKIF_OP_INDIRECT) {
            const blkif_request_indirect_t *in = (const blkif_request_indirect_t *)r;
            fprintf(out, "indirect %u %u %u %u %llu %llu", i, in->indirect_op, in->nr_segments, in->handle,
                    (unsigned long long)in->id, (unsigned long long)in->sector_number);
            for (int g = 0; g < BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST; g++) fprintf(out, " %u", in->indirect_grefs[g]);
            fprintf(out, "\n");
        } else {
            write_rw(i, r);
        }
    }
    /* The two pushes above, then notify decisions around `start` computed by the macros. */
    fputs(pushed[0], out);
    fputs(pushed[1], out);
    static const int deltas[][3] = { /* old, new, event relative to start */
        { -2, 2, -1 }, { -2, 2, 0 }, { -2, 2, 2 }, { -2, 2, 3 }, { -2, 2, -2 }, { 0, 0, 1 }, { 0, 1, 1 }, { 0, 1, 0 },
    };
    for (size_t c = 0; c < sizeof deltas / sizeof deltas[0]; c++) {
        RING_IDX o = start + (RING_IDX)deltas[c][0], n = start + (RING_IDX)deltas[c][1], e = start + (RING_IDX)deltas[c][2];
        fprintf(out, "notify req %u %u %u %d\n", o, n, e, simulate_notify(1, o, n, e));
        fprintf(out, "notify rsp %u %u %u %d\n", o, n, e, simulate_notify(0, o, n, e));
    }
    if (fclose(out) != 0) die("cannot write %s", expect_path);
    if (interop_write_file(page_path, page, bytes) != 0) die("cannot write %s", page_path);
    free(page);
    printf("PASS %s encode order%u start %u (%u entries)\n", INTEROP_ABI, order, start, RING_SIZE(&front));
    return 0;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc == 4 && !strcmp(argv[1], "check"))
        return check(argv[2], argv[3]);
    if (argc == 6 && !strcmp(argv[1], "encode")) {
        char *end;
        unsigned long order = strtoul(argv[2], &end, 0);
        if (*end || order > INTEROP_MAX_ORDER) die("order must be 0..%d", INTEROP_MAX_ORDER);
        unsigned long long start = strtoull(argv[3], &end, 0);
        if (*end || start > 0xFFFFFFFFull) die("start must be a u32");
        return encode((unsigned)order, (RING_IDX)start, argv[4], argv[5]);
    }
    fprintf(stderr, "usage: ringcheck check <page> <expect>\n       ringcheck encode <order> <start> <page> <expect>\n");
    return 2;
}

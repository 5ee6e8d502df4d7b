using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using XenVbd.Backend;
using XenVbd.Ring;
using XenVbd.Storage;
using XenVbd.Xen;

namespace XenVbd.Reliability
{
    /// <summary>What one rogue-frontend case did, for counting.</summary>
    public struct RogueFrontendOutcome
    {
        public long Consumed;
        public long Responses;
        public long Okay;
        public long Errors;
        public long NotSupported;
        public long Dropped;
        public bool Halted;
        public bool RingUsedForData;
    }

    /// <summary>
    /// A rogue frontend against <see cref="BlkBack"/>, driven by bytes: the input decides the layout, the
    /// ring's starting indices, the request slots (every byte), the published req_prod, an indirect page
    /// and a few lab faults; the harness connects, pushes, runs to idle, checks the invariants, closes and
    /// checks again. One input = one backend run, so the CsCheck property, the soak runner and the
    /// coverage-guided fuzzer share it. Any broken invariant throws <see cref="InvariantViolation"/>.
    /// </summary>
    /// <remarks>
    /// Input: [0] flags (see the constants), [1] request count, [2..5] req_prod distance when
    /// <see cref="RawProd"/>, [6..9] the ring's starting index (rsp_prod = req_prod before the run),
    /// [10] drop mask by index mod 8 when <see cref="Faults"/>, [11] latency jitter, [12..15] reserved;
    /// then count request entries at the ABI's stride (zero-padded when the input is short), then up to a
    /// page of indirect descriptors. Grant refs 8..11 are writable data pages, 12 the indirect page,
    /// 13 a read-only page, 14 a page granted to another domain, 15 (and 16) the ring.
    /// </remarks>
    public static class RogueFrontendHarness
    {
        public const int HeaderSize = 16;
        public const byte Abi64 = 1, NoProtocol = 2, Order1 = 4, ReadOnlyDisk = 8, NativeMode = 16, Faults = 32, RawProd = 64, Rewrite = 128;

        public const int FrontendDomain = 1;
        public const int DeviceId = 51712;
        public const byte Canary = 0xC5;
        public const byte ReadOnlyFill = 0x3C;
        public const byte ForeignFill = 0x4D;
        public const long DiskBytes = 1 << 20;
        private const long MaxEvents = 1_000_000;

        public static RogueFrontendOutcome Run(ReadOnlySpan<byte> input)
        {
            Span<byte> header = stackalloc byte[HeaderSize];
            header.Clear();
            input.Slice(0, Math.Min(HeaderSize, input.Length)).CopyTo(header);
            var body = input.Length > HeaderSize ? input.Slice(HeaderSize) : ReadOnlySpan<byte>.Empty;

            byte flags = header[0];
            int order = (flags & Order1) != 0 ? 1 : 0;
            var feAbi = (flags & Abi64) != 0 ? BlkifAbi.X86_64 : BlkifAbi.X86_32;
            // The backend is made with its hook; what the hook does is decided below, once the input is read.
            var hook = new PlanHook();
            var options = new BlkBackOptions
            {
                Interceptor = hook,
                ServiceTicks = 100,
                ReadOnly = (flags & ReadOnlyDisk) != 0,
                AbiMode = (flags & NativeMode) != 0 ? BackendAbiMode.Native : BackendAbiMode.Protocol,
                NativeAbi = BlkifAbi.X86_64,
            };

            using var host = new XenHost(seed: header[11], dom0Pages: 1);
            var dom = host.CreateDomain(FrontendDomain, 24, grantCapacity: 512);
            var mem = dom.Memory;
            var grants = dom.Grants;
            var canaries = new List<uint>();
            uint Canaried()
            {
                uint f = mem.AllocatePages(1);
                mem.Page(f).Span.Fill(Canary);
                canaries.Add(f);
                return f;
            }
            uint GrantNew(int grantee, bool readOnly, byte fill)
            {
                uint f = mem.AllocatePages(1);
                mem.Page(f).Span.Fill(fill);
                uint g = grants.ClaimReference();
                grants.GrantAccess(g, grantee, f, readOnly);
                return f;
            }

            Canaried();
            for (int i = 0; i < 4; i++) GrantNew(0, false, (byte)(0x10 + i));
            Canaried();
            uint indirectFrame = GrantNew(0, false, 0);
            uint readOnlyFrame = GrantNew(0, true, ReadOnlyFill);
            uint foreignFrame = GrantNew(7, false, ForeignFill);
            Canaried();
            int ringPages = 1 << order;
            uint ringFrame = mem.AllocatePages(ringPages);
            var ringRefs = new uint[ringPages];
            for (int i = 0; i < ringPages; i++)
            {
                ringRefs[i] = grants.ClaimReference();
                grants.GrantAccess(ringRefs[i], 0, ringFrame + (uint)i, readOnly: false);
            }
            Canaried();

            var shared = new SharedRing(mem.Pages(ringFrame, ringPages), order);
            shared.ClearAll();
            uint start = BinaryPrimitives.ReadUInt32LittleEndian(header.Slice(6));
            shared.ReqProd = start;
            shared.RspProd = start;
            shared.ReqEvent = start + 1;
            shared.RspEvent = start + 1;

            var channel = host.AllocateEventChannel();
            var disk = new MemoryDisk(DiskBytes);
            string fePath = XenbusPaths.Frontend(FrontendDomain, DeviceId);
            string bePath = XenbusPaths.Backend(0, FrontendDomain, DeviceId);
            using var backend = new BlkBack(host, FrontendDomain, DeviceId, disk, options);
            var store = host.Store;
            if (ringPages == 1) store.Write(fePath + "/ring-ref", ringRefs[0]);
            else
            {
                store.Write(fePath + "/ring-page-order", order);
                for (int i = 0; i < ringPages; i++) store.Write(fePath + "/ring-ref" + i, ringRefs[i]);
            }
            store.Write(fePath + "/event-channel", channel.Port);
            if ((flags & NoProtocol) == 0) store.Write(fePath + "/protocol", feAbi.ToProtocolString());
            store.Write(fePath + "/state", (int)XenbusState.Initialised);
            RunToIdle(host);
            Check(backend.State == XenbusState.Connected, "backend did not connect: " + backend.State + " " + store.Read(bePath + "/error"));
            var abi = backend.ChosenAbi!.Value;
            int size = shared.Entries(abi);

            // The request slots, in the layout the backend reads (a frontend of the other layout is just
            // another source of arbitrary bytes).
            int count = header[1];
            int stride = BlkifLayout.RequestSize(abi);
            var ids = new Dictionary<ulong, int>();
            int pos = 0;
            for (int i = 0; i < count; i++)
            {
                var slot = shared.Entry(abi, size, start + (uint)i);
                slot.Clear();
                if (pos < body.Length) body.Slice(pos, Math.Min(stride, body.Length - pos)).CopyTo(slot);
                pos += stride;
            }
            // The ids the backend may legitimately answer with: whatever the published slots hold.
            uint reqProd = (flags & RawProd) != 0 ? start + BinaryPrimitives.ReadUInt32LittleEndian(header.Slice(2)) : start + (uint)count;
            uint published = reqProd - start;
            if (published <= (uint)size)
            {
                for (uint i = 0; i < published; i++)
                {
                    ulong id = BinaryPrimitives.ReadUInt64LittleEndian(shared.Entry(abi, size, start + i).Slice(BlkifLayout.IdOffset(abi)));
                    ids[id] = ids.TryGetValue(id, out int c) ? c + 1 : 1;
                }
            }
            if (pos < body.Length) body.Slice(pos, Math.Min(XenPage.Size, body.Length - pos)).CopyTo(mem.Page(indirectFrame).Span);

            // A frontend may name its own ring grant as a data page; a READ then lands disk bytes on the
            // ring, indices included, and the slots hold whatever it wrote. That is the frontend's own
            // doing (Linux behaves alike), so the ring accounting is only checked when it did not happen;
            // the memory-safety and grant invariants are checked always.
            bool ringUsedForData = false;
            grants.MapFaultHook = g =>
            {
                if (Array.IndexOf(ringRefs, g) >= 0) ringUsedForData = true;
                return GrantStatus.Okay;
            };

            byte dropMask = header[10];
            bool faults = (flags & Faults) != 0;
            bool rewrite = (flags & Rewrite) != 0;
            if (faults || rewrite)
            {
                hook.Action = (ref BackendRequestPlan p) =>
                {
                    if (faults)
                    {
                        p.DropResponse = ((dropMask >> (int)(p.RingIndex & 7)) & 1) != 0;
                        p.ExtraLatencyTicks = (long)((p.RingIndex * 37 + (p.Id & 0xff)) % 500);
                    }
                    // XSA-155: the frontend rewrites the slot after the backend took its copy.
                    if (rewrite) shared.Entry(abi, size, p.RingIndex).Fill(0xFF);
                };
            }

            shared.ReqProd = reqProd;
            channel.Frontend.Notify();
            RunToIdle(host);

            var outcome = new RogueFrontendOutcome
            {
                Consumed = backend.Statistics.RequestsConsumed,
                Okay = backend.Statistics.OkayResponses,
                Errors = backend.Statistics.Errors,
                NotSupported = backend.Statistics.NotSupported,
                Dropped = backend.Statistics.DroppedResponses,
                Halted = backend.IsRingHalted,
                RingUsedForData = ringUsedForData,
            };

            // Invariants while connected.
            foreach (uint f in canaries) Check(mem.Page(f).Span.IndexOfAnyExcept(Canary) < 0, "ungranted frame " + f + " was written");
            Check(mem.Page(readOnlyFrame).Span.IndexOfAnyExcept(ReadOnlyFill) < 0, "read-only grant was written");
            Check(mem.Page(foreignFrame).Span.IndexOfAnyExcept(ForeignFill) < 0, "a page granted to another domain was written");
            outcome.Responses = shared.RspProd - start;
            if (!ringUsedForData)
            {
                if (published > (uint)size)
                {
                    Check(outcome.Halted, "req_prod " + published + " ahead of a " + size + "-entry ring did not halt it");
                    Check(outcome.Consumed == 0, "a halted ring consumed requests");
                    // Linux's __do_block_io_op only logs the halt ("Frontend provided bogus ring requests"): no error key.
                    Check(!store.Exists(bePath + "/error"), "ring halt wrote an error key, which Linux does not");
                }
                else
                {
                    Check(!outcome.Halted, "an honest req_prod halted the ring");
                    Check(outcome.Consumed == published, "consumed " + outcome.Consumed + " of " + published + " published requests");
                }
                uint rspProd = shared.RspProd;
                Check(outcome.Responses == outcome.Consumed - outcome.Dropped,
                    "responses " + outcome.Responses + " for " + outcome.Consumed + " consumed, " + outcome.Dropped + " dropped");
                for (uint i = start; i != rspProd; i++)
                {
                    var slot = shared.Entry(abi, size, i);
                    BlkifCodec.ReadResponse(slot, abi, out var r);
                    Check(r.Status == BlkifStatus.Okay || r.Status == BlkifStatus.Error || r.Status == BlkifStatus.NotSupported, "status " + r.Status);
                    Check(ids.TryGetValue(r.Id, out int left) && left > 0, "response id " + r.Id + " answers no outstanding request (or answers one twice)");
                    ids[r.Id] = left - 1;
                    // XSA-216: padding inside the response is zero.
                    Check(slot[9] == 0, "response padding byte 9 is " + slot[9]);
                    if (abi == BlkifAbi.X86_64) Check(slot.Slice(12, 4).IndexOfAnyExcept((byte)0) < 0, "response tail padding is not zero");
                }
            }
            if (backend.IsReadOnly)
            {
                Check(backend.Statistics.BytesWritten == 0, "a read-only disk was written");
                Check(disk.AllocatedBytes == 0, "a read-only disk was changed");
            }
            Check(grants.ActiveMappings == ringPages, "mapped grants while connected: " + grants.ActiveMappings + ", ring pages " + ringPages);

            // Close: every mapping goes away, whatever the ring held.
            store.Write(fePath + "/state", (int)XenbusState.Closed);
            RunToIdle(host);
            Check(backend.State == XenbusState.Closed, "backend state after the frontend closed: " + backend.State);
            Check(grants.ActiveMappings == 0, "grants still mapped after close: " + grants.ActiveMappings);
            foreach (uint f in canaries) Check(mem.Page(f).Span.IndexOfAnyExcept(Canary) < 0, "ungranted frame " + f + " was written after close");
            return outcome;
        }

        internal static void RunToIdle(XenHost host)
        {
            long ran = host.Scheduler.RunUntilIdle(MaxEvents);
            Check(host.Scheduler.Pending == 0 || ran < MaxEvents, "no progress: " + MaxEvents + " events without going idle (a hang)");
        }

        private static void Check(bool condition, string message) => InvariantViolation.Check(condition, message);

        private delegate void PlanAction(ref BackendRequestPlan plan);

        private sealed class PlanHook : IBackendInterceptor
        {
            public PlanAction? Action { get; set; }

            public void OnRequest(BlkBack backend, ref BackendRequestPlan plan) => Action?.Invoke(ref plan);
        }
    }
}

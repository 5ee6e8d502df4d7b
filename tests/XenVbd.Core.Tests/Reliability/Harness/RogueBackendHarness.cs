using System;
using XenVbd.Backend;
using XenVbd.Device;
using XenVbd.Frontend;
using XenVbd.Ring;
using XenVbd.Scsi;

namespace XenVbd.Reliability
{
    /// <summary>What one rogue-backend case did, for counting.</summary>
    public struct RogueBackendOutcome
    {
        public int Srbs;
        public int Ok;
        public int Failed;
        public long ResponsesPublished;
        public bool Broken;
    }

    /// <summary>
    /// A rogue backend against the real frontend, driven by bytes: raw response entries written onto the
    /// ring and a raw <c>rsp_prod</c>, then an event — straight into the frontend's response path. The
    /// counterpart of <see cref="RogueFrontendHarness"/>, shared by the corpus replay test and the fuzzer.
    /// Invariants: no exception escapes; after a final bus reset every SRB has completed exactly once; the
    /// device is Ready (and then completes a fresh SRB) or Broken/LayoutMismatch with a reason.
    /// </summary>
    /// <remarks>
    /// Input: [0] flags (bit 0 backend x86_32, bits 1-2 bounce strategy mod 3, bit 3 indirect segments,
    /// bit 4 the real blkback answers too instead of having its responses dropped), [1] SRBs 1..8,
    /// [2] rounds 1..4, [3] reserved, [4..11] per-SRB alignment/16 (odd = read), [12..15] reserved; then per
    /// round one byte n (entries to write: n &amp; 15; rsp_prod advances by n, or by (n &amp; 15) * 4096 + 7
    /// when n ≥ 0xF0) followed by n &amp; 15 entries at the frontend's response stride.
    /// </remarks>
    public static class RogueBackendHarness
    {
        public const int HeaderSize = 16;
        private const long MaxEvents = 1_000_000;

        public static RogueBackendOutcome Run(ReadOnlySpan<byte> input)
        {
            Span<byte> header = stackalloc byte[HeaderSize];
            header.Clear();
            input.Slice(0, Math.Min(HeaderSize, input.Length)).CopyTo(header);
            var body = input.Length > HeaderSize ? input.Slice(HeaderSize) : ReadOnlySpan<byte>.Empty;
            byte flags = header[0];
            bool realAnswers = (flags & 16) != 0;
            using var dev = VbdDevice.Create(new VbdDeviceOptions
            {
                SizeBytes = 1 << 20,
                GuestBufferBytes = 1 << 20,
                BackendAbi = (flags & 1) != 0 ? BlkifAbi.X86_32 : BlkifAbi.X86_64,
                Bounce = (BounceStrategyKind)(((flags >> 1) & 3) % 3),
                MaxIndirectSegments = (flags & 8) != 0 ? 64 : 0,
                RequestTimeout = TimeSpan.FromSeconds(1),
            });
            if (!realAnswers) dev.Backend.Interceptor = new DropAll();

            var o = new RogueBackendOutcome { Srbs = 1 + header[1] % 8 };
            var srbs = new Srb[o.Srbs];
            var completions = new int[o.Srbs];
            Span<byte> cdb = stackalloc byte[10];
            for (int i = 0; i < o.Srbs; i++)
            {
                int index = i;
                var srb = srbs[i] = new Srb { Completed = _ => completions[index]++ };
                int blocks = 1 + (header[4 + i] >> 4) % 24;
                int align = (header[4 + i] & 0x0F) * 16 + (header[4 + i] & 1);
                bool read = (header[4 + i] & 1) != 0;
                ulong address = dev.AllocateGuestBuffer(blocks * 512 + 4096) + (ulong)align;
                cdb.Clear();
                cdb[0] = read ? ScsiOp.Read10 : ScsiOp.Write10;
                cdb[5] = (byte)(i * 32);
                cdb[8] = (byte)blocks;
                srb.Prepare(cdb, address, blocks * 512, read ? DataDirection.In : DataDirection.Out);
                dev.Submit(srb);
            }

            var scheduler = dev.Host.Scheduler;
            scheduler.RunUntil(scheduler.Now + 100_000);
            int rounds = 1 + header[2] % 4;
            int at = 0;
            for (int round = 0; round < rounds && at < body.Length; round++)
            {
                var ring = dev.Backend.Ring;
                if (ring == null) break;
                byte n = body[at++];
                int entries = n & 15;
                var abi = dev.Frontend.Abi;
                int stride = BlkifLayout.ResponseSize(abi);
                int size = BlkifLayout.RingEntries(abi, ring.Shared.RingPageOrder);
                uint prod = ring.Shared.RspProd;
                for (int e = 0; e < entries; e++)
                {
                    var slot = ring.Shared.Entry(abi, size, prod + (uint)e).Slice(0, stride);
                    slot.Clear();
                    int take = Math.Min(stride, body.Length - at);
                    if (take > 0) body.Slice(at, take).CopyTo(slot);
                    at += Math.Max(take, 0);
                }

                uint advance = n >= 0xF0 ? (uint)(n & 15) * 4096 + 7 : n;
                ring.Shared.RspProd = prod + advance;
                o.ResponsesPublished += entries;
                if (dev.Host.TryGetEventChannel(PortOf(dev), out var channel)) channel.Backend.Notify();
                scheduler.RunUntil(scheduler.Now + 100_000);
            }

            dev.Backend.Interceptor = null;
            dev.Reset();
            dev.RunUntilIdle();
            for (int i = 0; i < o.Srbs; i++)
            {
                InvariantViolation.Check(srbs[i].IsComplete, "SRB " + i + " never completed");
                InvariantViolation.Check(completions[i] == 1, "SRB " + i + " completed " + completions[i] + " times");
                InvariantViolation.Check(srbs[i].ExtraCompletionAttempts == 0, "SRB " + i + " was completed again");
                if (srbs[i].SrbStatus.Base() == SrbStatus.Success) o.Ok++;
                else o.Failed++;
            }

            var state = dev.State;
            o.Broken = state != FrontendState.Ready;
            if (state == FrontendState.Ready)
            {
                cdb.Clear();
                cdb[0] = ScsiOp.Write10;
                cdb[8] = 1;
                var fresh = new Srb();
                fresh.Prepare(cdb, dev.AllocateGuestBuffer(4096), 512, DataDirection.Out);
                dev.Submit(fresh);
                dev.RunUntilComplete(fresh);
                InvariantViolation.Check(fresh.IsComplete, "a fresh SRB on a Ready device never completed");
            }
            else
            {
                InvariantViolation.Check(state == FrontendState.Broken || state == FrontendState.LayoutMismatch, "the frontend ended in " + state);
                InvariantViolation.Check(!string.IsNullOrEmpty(dev.Frontend.FailureReason), "the frontend is " + state + " without a reason");
            }

            return o;
        }

        private static int PortOf(VbdDevice dev) => (int)dev.Host.Store.ReadInt64OrDefault(dev.Frontend.FrontendPath + "/event-channel", -1);

        private sealed class DropAll : IBackendInterceptor
        {
            public void OnRequest(BlkBack backend, ref BackendRequestPlan plan) => plan.DropResponse = true;
        }
    }
}

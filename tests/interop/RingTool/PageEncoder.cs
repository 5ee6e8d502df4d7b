using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using XenVbd.Ring;

namespace XenVbd.Interop
{
    /// <summary>
    /// Writes a ring page with the C# model — FrontRing produces requests through BlkifCodec,
    /// BackRing answers some of them in place — and the expect file describing it, for
    /// ringcheck (gcc, official headers) to decode. The scenario is the one ringcheck encode
    /// plays (README.md), with values of its own so a shared mistake cannot cancel out.
    /// </summary>
    public static class PageEncoder
    {
        private const ushort Handle = 0x51a7;

        private static ulong Id(int order, int k) => 0x5EC0000000000000UL | ((ulong)order << 44) | ((ulong)k << 36) | (0xF0F0F000UL + (ulong)k);

        public static void Encode(BlkifAbi abi, int order, uint start, string pagePath, string expectPath, TextWriter log)
        {
            var inv = CultureInfo.InvariantCulture;
            var page = new PinnedPage(XenPage.Size << order);
            var shared = new SharedRing(page.Region, order);
            var records = new List<string>();
            var notifies = new List<string>();

            // A ring that has been running for a while: indices at start, both sides idle.
            shared.Initialize();
            shared.ReqProd = start;
            shared.RspProd = start;
            var front = new FrontRing(shared, abi);
            front.Attach(start);
            var back = new BackRing(shared, abi);
            back.Attach();
            if (back.FinalCheckForRequests()) throw new InvalidOperationException("Idle ring has requests.");
            if (front.FinalCheckForResponses()) throw new InvalidOperationException("Idle ring has responses.");
            uint reqEventBefore = shared.ReqEvent;

            // Three requests the backend answers: READ 1 segment, WRITE 3 segments, FLUSH_DISKCACHE.
            byte[] answeredOps = { BlkifOp.Read, BlkifOp.Write, BlkifOp.FlushDiskCache };
            short[] answeredStatus = { BlkifStatus.NotSupported, BlkifStatus.Okay, BlkifStatus.Error };
            for (int k = 0; k < 3; k++)
            {
                var r = new BlkifRequest
                {
                    Operation = answeredOps[k],
                    NrSegments = (byte)(k == 0 ? 1 : k == 1 ? 3 : 0),
                    Handle = Handle,
                    Id = Id(order, k),
                    SectorNumber = 0x0000_0200_0000_0000UL + (ulong)k * 8,
                };
                for (int s = 0; s < r.NrSegments; s++) r.SetSegment(s, new BlkifSegment(0x2000u + (uint)(k * 32 + s), 1, 6));
                BlkifCodec.WriteRequest(front.NextRequestSlot(), abi, r);
                front.Produce();
            }

            // WRITE with all 11 segments.
            var rw = new BlkifRequest { Operation = BlkifOp.Write, NrSegments = BlkifLayout.MaxSegmentsPerRequest, Handle = Handle, Id = Id(order, 3), SectorNumber = 0xFEDC_BA98_7654_3210UL >> 8 };
            for (int s = 0; s < BlkifLayout.MaxSegmentsPerRequest; s++)
                rw.SetSegment(s, new BlkifSegment(0xA5A5_0000u | (uint)(s * 0x111), (byte)(s % 4), (byte)(4 + s % 4)));
            records.Add(RwRecord(front.ReqProdPvt, rw));
            BlkifCodec.WriteRequest(front.NextRequestSlot(), abi, rw);
            front.Produce();

            // DISCARD, secure.
            var discard = new BlkifDiscardRequest { Operation = BlkifOp.Discard, Flag = BlkifOp.DiscardFlagSecure, Handle = Handle, Id = Id(order, 4), SectorNumber = 0x0000_0001_0000_0000UL, NrSectors = 0x0000_0000_FFFF_FFF8UL };
            records.Add(string.Format(inv, "discard {0} {1} {2} {3} {4} {5}", front.ReqProdPvt, discard.Flag, discard.Handle, discard.Id, discard.SectorNumber, discard.NrSectors));
            BlkifCodec.WriteDiscard(front.NextRequestSlot(), abi, discard);
            front.Produce();

            // INDIRECT WRITE over 8 indirect pages.
            var indirect = new BlkifIndirectRequest { Operation = BlkifOp.Indirect, IndirectOp = BlkifOp.Write, NrSegments = 8 * BlkifLayout.SegmentsPerIndirectPage, Handle = Handle, Id = Id(order, 5), SectorNumber = 0x7FFF_FFFF_FFFF_FF00UL };
            var grefs = new StringBuilder();
            for (int g = 0; g < BlkifLayout.MaxIndirectPagesPerRequest; g++)
            {
                uint gref = 0xFEED_0000u + (uint)g * 0x1001u;
                indirect.SetIndirectGref(g, gref);
                grefs.Append(' ').Append(gref.ToString(inv));
            }
            records.Add(string.Format(inv, "indirect {0} {1} {2} {3} {4} {5}{6}", front.ReqProdPvt, indirect.IndirectOp, indirect.NrSegments, indirect.Handle, indirect.Id, indirect.SectorNumber, grefs));
            BlkifCodec.WriteIndirect(front.NextRequestSlot(), abi, indirect);
            front.Produce();

            // FLUSH_DISKCACHE without segments, then GPLPV's ABI probe (operation 0xff, all else zero).
            var flush = new BlkifRequest { Operation = BlkifOp.FlushDiskCache, Handle = Handle, Id = Id(order, 6), SectorNumber = 0 };
            records.Add(RwRecord(front.ReqProdPvt, flush));
            BlkifCodec.WriteRequest(front.NextRequestSlot(), abi, flush);
            front.Produce();
            var probe = new BlkifRequest { Operation = BlkifOp.Probe };
            records.Add(RwRecord(front.ReqProdPvt, probe));
            BlkifCodec.WriteRequest(front.NextRequestSlot(), abi, probe);
            front.Produce();

            uint reqOld = shared.ReqProd;
            bool reqNotify = front.PushRequestsAndCheckNotify();
            notifies.Add(NotifyRecord("req", reqOld, shared.ReqProd, reqEventBefore, reqNotify));

            // Backend: copy each of the first three requests once and answer it in place.
            var responses = new List<string>();
            for (int k = 0; k < 3; k++)
            {
                if (back.RequestConsOverflow(back.ReqCons)) throw new InvalidOperationException("Request consumer overflow.");
                uint index = back.ReqCons;
                BlkifCodec.ReadRequest(back.RequestSlot(index), abi, out var copy);
                back.ConsumeRequest();
                var rsp = new BlkifResponse(copy.Id, copy.Operation, answeredStatus[k]);
                responses.Add(string.Format(inv, "rsp {0} {1} {2} {3}", back.RspProdPvt, rsp.Id, rsp.Operation, rsp.Status));
                BlkifCodec.WriteResponse(back.NextResponseSlot(), abi, rsp);
                back.Produce();
            }
            records.InsertRange(0, responses);
            uint rspOld = shared.RspProd, rspEventBefore = shared.RspEvent;
            bool rspNotify = back.PushResponsesAndCheckNotify();
            notifies.Add(NotifyRecord("rsp", rspOld, shared.RspProd, rspEventBefore, rspNotify));

            // Frontend: consume the responses, then go idle (rsp_event moves to rsp_cons + 1).
            while (front.UnconsumedResponses != 0) front.ConsumeResponse();
            if (front.FinalCheckForResponses()) throw new InvalidOperationException("Responses after the final check.");

            // Notify decisions around start, as the C# ring computes them.
            int[][] cases = { new[] { -2, 2, -1 }, new[] { -2, 2, 0 }, new[] { -2, 2, 2 }, new[] { -2, 2, 3 }, new[] { -2, 2, -2 }, new[] { 0, 0, 1 }, new[] { 0, 1, 1 }, new[] { 0, 1, 0 }, new[] { -1, 3, 3 } };
            foreach (var c in cases)
            {
                uint o = start + (uint)c[0], n = start + (uint)c[1], e = start + (uint)c[2];
                notifies.Add(NotifyRecord("req", o, n, e, NotifySimulator.Requests(abi, o, n, e)));
                notifies.Add(NotifyRecord("rsp", o, n, e, NotifySimulator.Responses(abi, o, n, e)));
            }

            var text = new StringBuilder();
            text.Append("# written by ringtool encode (C# XenVbd.Core Ring)\n");
            text.Append("abi ").Append(abi.ToProtocolString()).Append('\n');
            text.Append("order ").Append(order.ToString(inv)).Append('\n');
            text.Append("start ").Append(start.ToString(inv)).Append('\n');
            text.Append("entries ").Append(front.Size.ToString(inv)).Append('\n');
            var ix = shared.Snapshot();
            text.Append(string.Format(inv, "indices {0} {1} {2} {3}\n", ix.ReqProd, ix.ReqEvent, ix.RspProd, ix.RspEvent));
            foreach (var r in records) text.Append(r).Append('\n');
            foreach (var n in notifies) text.Append(n).Append('\n');
            File.WriteAllText(expectPath, text.ToString());
            File.WriteAllBytes(pagePath, page.Bytes);
            log.WriteLine("PASS {0} C# encode order{1} start {2} ({3} entries)", abi.ToProtocolString(), order, start, front.Size);
        }

        private static string RwRecord(uint index, in BlkifRequest r)
        {
            var inv = CultureInfo.InvariantCulture;
            var sb = new StringBuilder();
            sb.Append(string.Format(inv, "req {0} {1} {2} {3} {4} {5}", index, r.Operation, r.NrSegments, r.Handle, r.Id, r.SectorNumber));
            for (int s = 0; s < r.NrSegments; s++)
            {
                var seg = r.GetSegment(s);
                sb.Append(string.Format(inv, " {0} {1} {2}", seg.Gref, seg.FirstSect, seg.LastSect));
            }
            return sb.ToString();
        }

        private static string NotifyRecord(string side, uint old, uint now, uint evt, bool notify)
            => string.Format(CultureInfo.InvariantCulture, "notify {0} {1} {2} {3} {4}", side, old, now, evt, notify ? 1 : 0);
    }

    /// <summary>Runs the C# producer's push-and-check on a scratch ring with given indices.</summary>
    public static class NotifySimulator
    {
        public static bool Requests(BlkifAbi abi, uint old, uint now, uint evt)
        {
            var shared = new SharedRing(new PinnedPage(XenPage.Size).Region, 0);
            shared.Initialize();
            shared.ReqProd = old;
            shared.ReqEvent = evt;
            var front = new FrontRing(shared, abi);
            front.Attach(old);
            for (uint i = old; i != now; i++) front.Produce();
            return front.PushRequestsAndCheckNotify();
        }

        public static bool Responses(BlkifAbi abi, uint old, uint now, uint evt)
        {
            var shared = new SharedRing(new PinnedPage(XenPage.Size).Region, 0);
            shared.Initialize();
            shared.RspProd = old;
            shared.RspEvent = evt;
            var back = new BackRing(shared, abi);
            back.Attach();
            for (uint i = old; i != now; i++) back.Produce();
            return back.PushResponsesAndCheckNotify();
        }
    }
}

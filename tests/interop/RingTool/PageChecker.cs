using System;
using System.Globalization;
using System.IO;
using XenVbd.Ring;

namespace XenVbd.Interop
{
    /// <summary>
    /// Decodes a ring page written by ringcheck (gcc, official structs and RING_* macros) with the
    /// C# model — BackRing/FrontRing slots and BlkifCodec — and checks every record of the expect
    /// file: each field, then the whole entry byte for byte against what BlkifCodec would write.
    /// </summary>
    public static class PageChecker
    {
        /// <summary>Returns the number of failed checks; prints one PASS/FAIL line per check.</summary>
        public static int Check(string pagePath, string expectPath, TextWriter log)
        {
            var page = PinnedPage.Load(pagePath);
            string abiName = "?";
            BlkifAbi abi = default;
            int order = -1;
            SharedRing? shared = null;
            FrontRing? front = null;
            BackRing? back = null;
            int failures = 0;
            int lineNo = 0;

            void Report(string what, string? problem)
            {
                if (problem == null)
                {
                    log.WriteLine("PASS {0} C# {1}", abiName, what);
                }
                else
                {
                    log.WriteLine("FAIL {0} C# {1}: {2}", abiName, what, problem);
                    failures++;
                }
            }

            foreach (string raw in File.ReadLines(expectPath))
            {
                lineNo++;
                var t = raw.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
                if (t.Length == 0 || t[0].StartsWith('#')) continue;
                var f = new Fields(t, lineNo);
                switch (t[0])
                {
                    case "abi":
                        abi = Program.ParseAbi(f.Text(1));
                        abiName = abi.ToProtocolString();
                        continue;
                    case "order":
                        order = (int)f.U64(1);
                        int bytes = XenPage.Size << order;
                        Report("order" + order + " page size", page.Bytes.Length == bytes ? null : "file has " + page.Bytes.Length + " bytes, order " + order + " needs " + bytes);
                        if (page.Bytes.Length < bytes) throw new FormatException("Page file too short.");
                        shared = new SharedRing(page.Region, order);
                        continue;
                    case "start":
                        if (shared == null) throw new FormatException("'order' must come before 'start'.");
                        front = new FrontRing(shared, abi);
                        front.Attach(f.U32(1));
                        back = new BackRing(shared, abi);
                        back.Attach();
                        continue;
                }
                if (shared == null || front == null || back == null) throw new FormatException("line " + lineNo + ": 'abi', 'order' and 'start' must come first.");
                var m = new Mismatch();
                switch (t[0])
                {
                    case "entries":
                        m.Eq("front Size", (ulong)front.Size, f.U64(1));
                        m.Eq("back Size", (ulong)back.Size, f.U64(1));
                        m.Eq("RingEntries", (ulong)BlkifLayout.RingEntries(abi, order), f.U64(1));
                        Report("order" + order + " ring size", m.First);
                        break;
                    case "indices":
                        var ix = shared.Snapshot();
                        m.Eq("req_prod", ix.ReqProd, f.U64(1));
                        m.Eq("req_event", ix.ReqEvent, f.U64(2));
                        m.Eq("rsp_prod", ix.RspProd, f.U64(3));
                        m.Eq("rsp_event", ix.RspEvent, f.U64(4));
                        var pad = shared.Memory.Slice(BlkifLayout.RingPrivateOffset, BlkifLayout.RingHeaderSize - BlkifLayout.RingPrivateOffset);
                        for (int i = 0; i < pad.Length; i++) m.Eq("header byte " + (BlkifLayout.RingPrivateOffset + i), pad[i], 0);
                        Report("order" + order + " sring header", m.First);
                        break;
                    case "req":
                    {
                        uint idx = f.U32(1);
                        var slot = back.RequestSlot(idx);
                        BlkifCodec.ReadRequest(slot, abi, out var got);
                        var want = new BlkifRequest
                        {
                            Operation = (byte)f.U64(2),
                            NrSegments = (byte)f.U64(3),
                            Handle = (ushort)f.U64(4),
                            Id = f.U64(5),
                            SectorNumber = f.U64(6),
                        };
                        m.Eq("operation", got.Operation, want.Operation);
                        m.Eq("nr_segments", got.NrSegments, want.NrSegments);
                        m.Eq("handle", got.Handle, want.Handle);
                        m.Eq("id", got.Id, want.Id);
                        m.Eq("sector_number", got.SectorNumber, want.SectorNumber);
                        for (int s = 0; s < want.NrSegments && s < BlkifLayout.MaxSegmentsPerRequest; s++)
                        {
                            var seg = new BlkifSegment(f.U32(7 + 3 * s), (byte)f.U64(8 + 3 * s), (byte)f.U64(9 + 3 * s));
                            want.SetSegment(s, seg);
                            var g = got.GetSegment(s);
                            m.Eq("seg[" + s + "].gref", g.Gref, seg.Gref);
                            m.Eq("seg[" + s + "].first_sect", g.FirstSect, seg.FirstSect);
                            m.Eq("seg[" + s + "].last_sect", g.LastSect, seg.LastSect);
                        }
                        var expected = new byte[BlkifLayout.EntryStride(abi)];
                        BlkifCodec.WriteRequest(expected, abi, want);
                        m.Bytes(slot, expected, BlkifLayout.RequestSize(abi));
                        Report(SlotName(order, "req", idx, front.Size), m.First);
                        break;
                    }
                    case "discard":
                    {
                        uint idx = f.U32(1);
                        var slot = back.RequestSlot(idx);
                        BlkifCodec.ReadDiscard(slot, abi, out var got);
                        var want = new BlkifDiscardRequest
                        {
                            Operation = BlkifOp.Discard,
                            Flag = (byte)f.U64(2),
                            Handle = (ushort)f.U64(3),
                            Id = f.U64(4),
                            SectorNumber = f.U64(5),
                            NrSectors = f.U64(6),
                        };
                        m.Eq("operation", got.Operation, want.Operation);
                        m.Eq("flag", got.Flag, want.Flag);
                        m.Eq("handle", got.Handle, want.Handle);
                        m.Eq("id", got.Id, want.Id);
                        m.Eq("sector_number", got.SectorNumber, want.SectorNumber);
                        m.Eq("nr_sectors", got.NrSectors, want.NrSectors);
                        var expected = new byte[BlkifLayout.EntryStride(abi)];
                        BlkifCodec.WriteDiscard(expected, abi, want);
                        m.Bytes(slot, expected, BlkifLayout.RequestSize(abi));
                        Report(SlotName(order, "discard", idx, front.Size), m.First);
                        break;
                    }
                    case "indirect":
                    {
                        uint idx = f.U32(1);
                        var slot = back.RequestSlot(idx);
                        BlkifCodec.ReadIndirect(slot, abi, out var got);
                        var want = new BlkifIndirectRequest
                        {
                            Operation = BlkifOp.Indirect,
                            IndirectOp = (byte)f.U64(2),
                            NrSegments = (ushort)f.U64(3),
                            Handle = (ushort)f.U64(4),
                            Id = f.U64(5),
                            SectorNumber = f.U64(6),
                        };
                        m.Eq("operation", got.Operation, want.Operation);
                        m.Eq("indirect_op", got.IndirectOp, want.IndirectOp);
                        m.Eq("nr_segments", got.NrSegments, want.NrSegments);
                        m.Eq("handle", got.Handle, want.Handle);
                        m.Eq("id", got.Id, want.Id);
                        m.Eq("sector_number", got.SectorNumber, want.SectorNumber);
                        for (int g = 0; g < BlkifLayout.MaxIndirectPagesPerRequest; g++)
                        {
                            want.SetIndirectGref(g, f.U32(7 + g));
                            m.Eq("indirect_grefs[" + g + "]", got.GetIndirectGref(g), want.GetIndirectGref(g));
                        }
                        var expected = new byte[BlkifLayout.EntryStride(abi)];
                        BlkifCodec.WriteIndirect(expected, abi, want);
                        m.Bytes(slot, expected, BlkifLayout.RequestSize(abi));
                        Report(SlotName(order, "indirect", idx, front.Size), m.First);
                        break;
                    }
                    case "rsp":
                    {
                        uint idx = f.U32(1);
                        var slot = front.ResponseSlot(idx);
                        BlkifCodec.ReadResponse(slot, abi, out var got);
                        var want = new BlkifResponse(f.U64(2), (byte)f.U64(3), checked((short)f.S64(4)));
                        m.Eq("id", got.Id, want.Id);
                        m.Eq("operation", got.Operation, want.Operation);
                        m.Eq("status", (ulong)(long)got.Status, (ulong)(long)want.Status);
                        var expected = new byte[BlkifLayout.ResponseSize(abi)];
                        BlkifCodec.WriteResponse(expected, abi, want);
                        m.Bytes(slot, expected, BlkifLayout.ResponseSize(abi));
                        Report(SlotName(order, "rsp", idx, front.Size), m.First);
                        break;
                    }
                    case "notify":
                    {
                        string side = f.Text(1);
                        uint o = f.U32(2), n = f.U32(3), e = f.U32(4);
                        bool want = f.U64(5) != 0;
                        bool got = side == "req" ? NotifySimulator.Requests(abi, o, n, e)
                                 : side == "rsp" ? NotifySimulator.Responses(abi, o, n, e)
                                 : throw new FormatException("line " + lineNo + ": notify side must be req or rsp.");
                        Report(string.Format(CultureInfo.InvariantCulture, "notify {0} old={1} new={2} event={3}", side, o, n, e),
                            got == want ? null : "C# says " + (got ? 1 : 0) + ", the expect file says " + (want ? 1 : 0));
                        break;
                    }
                    default:
                        throw new FormatException("line " + lineNo + ": unknown record '" + t[0] + "'.");
                }
            }
            return failures;
        }

        private static string SlotName(int order, string kind, uint idx, int size)
            => string.Format(CultureInfo.InvariantCulture, "order{0} {1}@{2} slot {3}", order, kind, idx, idx & (uint)(size - 1));

        private readonly struct Fields
        {
            private readonly string[] _t;
            private readonly int _line;

            public Fields(string[] tokens, int line)
            {
                _t = tokens;
                _line = line;
            }

            public string Text(int i) => i < _t.Length ? _t[i] : throw new FormatException("line " + _line + ": missing field " + i + ".");

            public ulong U64(int i) => ulong.TryParse(Text(i), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : throw new FormatException("line " + _line + ": '" + Text(i) + "' is not an unsigned number.");

            public uint U32(int i) => checked((uint)U64(i));

            public long S64(int i) => long.TryParse(Text(i), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) ? v : throw new FormatException("line " + _line + ": '" + Text(i) + "' is not a number.");
        }

        /// <summary>Keeps the first difference, the way a person wants to read it.</summary>
        private sealed class Mismatch
        {
            public string? First { get; private set; }

            public void Eq(string name, ulong actual, ulong expected)
            {
                if (First == null && actual != expected) First = name + " is " + actual + ", expected " + expected;
            }

            public void Bytes(ReadOnlySpan<byte> actual, ReadOnlySpan<byte> expected, int length)
            {
                if (First != null) return;
                for (int i = 0; i < length; i++)
                {
                    if (actual[i] != expected[i])
                    {
                        First = "fields agree but byte " + i + " of the entry is 0x" + actual[i].ToString("x2", CultureInfo.InvariantCulture) + ", the C# codec writes 0x" + expected[i].ToString("x2", CultureInfo.InvariantCulture);
                        return;
                    }
                }
            }
        }
    }
}

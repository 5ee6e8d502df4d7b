using System;
using System.Buffers.Binary;
using XenVbd.Ring;
using XenVbd.Sim;

namespace XenVbd.Reliability
{
    /// <summary>
    /// Turns a few small parameters and a seed into harness input bytes shaped enough to get past the
    /// first checks (valid ops, grant refs that exist, sector fields in range) while keeping every field
    /// free to be wrong. Shared by the CsCheck properties and the soak runner.
    /// </summary>
    public static class RogueCases
    {
        private static readonly byte[] Ops = { 0, 1, 2, 3, 4, 5, 6, 7, 0xff };

        /// <param name="prodMode">0 honest req_prod, 1 a ring ahead plus a bit, 2 anything, 3 exactly a ring.</param>
        /// <param name="startMode">0 index 0, 1 just below the u32 wrap, 2 anything.</param>
        /// <param name="shape">0 raw random bytes, 1 valid ops and grefs, 2 plus sane sector fields.</param>
        public static byte[] Frontend(byte flags, int count, int prodMode, int startMode, int shape, ulong seed)
        {
            var random = new SimRandom(seed);
            var abi = (flags & RogueFrontendHarness.Abi64) != 0 && (flags & (RogueFrontendHarness.NoProtocol | RogueFrontendHarness.NativeMode)) == 0
                ? BlkifAbi.X86_64 : BlkifAbi.X86_32;
            if ((flags & RogueFrontendHarness.NativeMode) != 0) abi = BlkifAbi.X86_64;
            int size = BlkifLayout.RingEntries(abi, (flags & RogueFrontendHarness.Order1) != 0 ? 1 : 0);
            int stride = BlkifLayout.RequestSize(abi);
            var bytes = new byte[RogueFrontendHarness.HeaderSize + count * stride + (shape > 0 ? 512 : random.Next(600))];
            random.NextBytes(bytes);
            bytes[0] = flags;
            bytes[1] = (byte)count;
            uint prod = prodMode switch
            {
                0 => (uint)count,
                1 => (uint)(size + 1 + random.Next(3)),
                3 => (uint)size,
                _ => (uint)random.NextUInt64(),
            };
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(2), prod);
            uint start = startMode switch { 0 => 0u, 1 => uint.MaxValue - (uint)random.Next(40), _ => (uint)random.NextUInt64() };
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(6), start);
            if (shape == 0) return bytes;

            for (int i = 0; i < count; i++)
            {
                var e = bytes.AsSpan(RogueFrontendHarness.HeaderSize + i * stride, stride);
                e[0] = Ops[random.Next(Ops.Length)];
                if (e[0] == BlkifOp.Indirect)
                {
                    e[1] = random.Chance(0.8) ? (byte)random.Next(2) : e[1];
                    BinaryPrimitives.WriteUInt16LittleEndian(e.Slice(2), (ushort)random.Next(random.Chance(0.7) ? 40 : 600));
                    var grefs = e.Slice(BlkifLayout.IndirectGrefsOffset(abi));
                    for (int g = 0; g < 8; g++)
                        if (random.Chance(0.6)) BinaryPrimitives.WriteUInt32LittleEndian(grefs.Slice(g * 4), Gref(random));
                }
                else if (e[0] == BlkifOp.Discard)
                {
                    if (shape >= 2) BinaryPrimitives.WriteUInt64LittleEndian(e.Slice(BlkifLayout.DiscardNrSectorsOffset(abi)), (ulong)random.Next(3000));
                }
                else
                {
                    e[1] = (byte)(shape >= 2 && random.Chance(0.7) ? random.Next(1, 5) : random.Next(13));
                    var segs = e.Slice(BlkifLayout.SegmentsOffset(abi));
                    for (int s = 0; s < 11; s++)
                    {
                        if (random.Chance(0.85)) BinaryPrimitives.WriteUInt32LittleEndian(segs.Slice(s * 8), shape >= 2 && random.Chance(0.9) ? (uint)(8 + random.Next(4)) : Gref(random));
                        if (shape >= 2)
                        {
                            segs[s * 8 + 4] = (byte)random.Next(9);
                            segs[s * 8 + 5] = (byte)random.Next(random.Chance(0.9) ? segs[s * 8 + 4] : 0, 9);
                        }
                    }
                }
                if (shape >= 2) BinaryPrimitives.WriteUInt64LittleEndian(e.Slice(BlkifLayout.SectorNumberOffset(abi)), (ulong)random.Next(2200));
            }
            // The indirect page: descriptors, most naming real grants.
            var ind = bytes.AsSpan(RogueFrontendHarness.HeaderSize + count * stride);
            for (int s = 0; s + 8 <= ind.Length; s += 8)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(ind.Slice(s), Gref(random));
                ind[s + 4] = (byte)random.Next(9);
                ind[s + 5] = (byte)random.Next(ind[s + 4], 9);
            }
            return bytes;
        }

        /// <summary>Mostly the harness's real data grants, sometimes the read-only, foreign or ring ones, sometimes nonsense.</summary>
        private static uint Gref(SimRandom random) => random.Next(10) switch
        {
            < 6 => (uint)(8 + random.Next(4)),
            6 => (uint)(12 + random.Next(5)),
            7 => (uint)random.Next(8),
            8 => (uint)(17 + random.Next(600)),
            _ => (uint)random.NextUInt64(),
        };

        /// <summary>The parameters of one case of a soak run, all from its <paramref name="seed"/>.</summary>
        public static byte[] FrontendCase(ulong seed)
        {
            var r = new SimRandom(seed);
            byte flags = (byte)r.Next(256);
            int count = r.Chance(0.9) ? r.Next(33) : r.Next(256);
            int prodMode = r.Chance(0.8) ? 0 : r.Next(4);
            return Frontend(flags, count, prodMode, r.Next(3), r.Chance(0.5) ? 2 : r.Next(2), r.NextUInt64());
        }
    }
}

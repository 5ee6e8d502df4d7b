using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Linq;
using CsCheck;
using XenVbd.Backend;
using XenVbd.Ring;
using XenVbd.Sim;
using XenVbd.Tests.Support;

namespace XenVbd.Tests.Backend
{
    public class RandomRingPropertyTests
    {
        private static readonly byte[] Ops = { 0, 1, 2, 3, 4, 5, 6, 7, 0xff };

        /// <summary>
        /// Whatever bytes a frontend puts in the slots, nothing throws out of the backend, every consumed
        /// request is answered exactly once (unless the interceptor drops it), ungranted memory is
        /// untouched and no data grant stays mapped.
        /// </summary>
        [Fact]
        public void Random_ring_bytes_never_throw_and_every_request_gets_exactly_one_response()
        {
            long okay = 0, errors = 0, unsupported = 0;
            var gen = Gen.Select(Gen.Bool, Gen.Int[1, 32], Gen.ULong, Gen.Int[0, 3]);
            gen.Sample((bool is64, int count, ulong seed, int structure) =>
            {
                var abi = is64 ? BlkifAbi.X86_64 : BlkifAbi.X86_32;
                using var rig = BackendRig.Connected(abi, new BlkBackOptions { MaxIndirectSegments = 32, ServiceTicks = 100 });
                var fe = rig.Frontend;
                var canaries = rig.CanaryPages(2);
                var granted = rig.GrantPages(4, 0x5E);
                var random = new SimRandom(seed);
                var expectedIds = new List<ulong>();
                var dropped = new HashSet<uint>();

                for (int i = 0; i < count; i++)
                {
                    var raw = new byte[BlkifLayout.RequestSize(abi)];
                    random.NextBytes(raw);
                    if (structure > 0) Shape(raw, abi, random, granted, structure);
                    uint index = fe.QueueRaw(raw);
                    expectedIds.Add(BinaryPrimitives.ReadUInt64LittleEndian(raw.AsSpan(BlkifLayout.IdOffset(abi))));
                    if (random.Chance(0.1)) dropped.Add(index);
                }
                // Indirect pages full of random descriptors, some pointing at granted pages.
                foreach (var p in granted.Take(2))
                    for (int s = 0; s < 64; s++)
                        BlkifCodec.WriteSegment(fe.Page(p.Frame).Slice(s * 8), new BlkifSegment(random.Chance(0.5) ? granted[random.Next(4)].Gref : (uint)random.Next(5000), (byte)random.Next(9), (byte)random.Next(9)));

                rig.Interceptor = new LambdaInterceptor((ref BackendRequestPlan p) => p.DropResponse = dropped.Contains(p.RingIndex));
                fe.Push();
                fe.Run();

                var rs = fe.TakeResponses();
                Assert.Equal(count, rig.Backend.Statistics.RequestsConsumed);
                Assert.Equal(count - dropped.Count, rs.Count);
                var want = expectedIds.Where((id, i) => !dropped.Contains((uint)i)).OrderBy(x => x).ToList();
                Assert.Equal(want, rs.Select(r => r.Id).OrderBy(x => x).ToList());
                Assert.All(rs, r => Assert.Contains(r.Status, new[] { BlkifStatus.Okay, BlkifStatus.Error, BlkifStatus.NotSupported }));
                rig.AssertCanaries(canaries);
                Assert.Equal(1, fe.Grants.ActiveMappings);
                Assert.False(rig.Backend.IsRingHalted);
                okay += rig.Backend.Statistics.OkayResponses;
                errors += rig.Backend.Statistics.Errors;
                unsupported += rig.Backend.Statistics.NotSupported;
            }, iter: 150, threads: 1);
            // The shaping must reach the data paths, not only the first refusals.
            // Floors well under the observed mix (okay ≈ 45-70 of 150 runs): fresh random seeds each run must not flake.
            Assert.True(okay > 15 && errors > 15 && unsupported > 3, "okay " + okay + ", errors " + errors + ", eopnotsupp " + unsupported);
        }

        /// <summary>Makes random bytes look more like requests so the paths past the first checks are reached too.</summary>
        private static void Shape(byte[] raw, BlkifAbi abi, SimRandom random, (uint Frame, uint Gref)[] granted, int structure)
        {
            raw[0] = Ops[random.Next(Ops.Length)];
            if (raw[0] == BlkifOp.Indirect)
            {
                raw[1] = random.Chance(0.8) ? (byte)random.Next(2) : raw[1];
                BinaryPrimitives.WriteUInt16LittleEndian(raw.AsSpan(2), (ushort)random.Next(structure == 3 ? 40 : 70));
                var grefs = raw.AsSpan(BlkifLayout.IndirectGrefsOffset(abi));
                BinaryPrimitives.WriteUInt32LittleEndian(grefs, granted[random.Next(2)].Gref);
            }
            else
            {
                raw[1] = (byte)random.Next(13);
                var segs = raw.AsSpan(BlkifLayout.SegmentsOffset(abi));
                for (int s = 0; s < 11; s++)
                {
                    if (random.Chance(0.8)) BinaryPrimitives.WriteUInt32LittleEndian(segs.Slice(s * 8), granted[random.Next(granted.Length)].Gref);
                    if (structure >= 2)
                    {
                        segs[s * 8 + 4] = (byte)random.Next(8);
                        segs[s * 8 + 5] = (byte)random.Next(segs[s * 8 + 4], 9);
                    }
                }
            }
            if (structure >= 2) BinaryPrimitives.WriteUInt64LittleEndian(raw.AsSpan(BlkifLayout.SectorNumberOffset(abi)), (ulong)random.Next(20_000));
        }
    }
}

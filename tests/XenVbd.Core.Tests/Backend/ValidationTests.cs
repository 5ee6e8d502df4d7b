using System;
using System.Buffers.Binary;
using XenVbd.Backend;
using XenVbd.Ring;
using XenVbd.Tests.Support;
using XenVbd.Xen;

namespace XenVbd.Tests.Backend
{
    /// <summary>
    /// Each of blkback's refusals, sent by a rogue frontend: the answer is an error response echoing the
    /// id and op, and neither the disk, nor the granted page, nor any page that was never granted changes.
    /// </summary>
    public class ValidationTests
    {
        public enum Case
        {
            ReadWithNoSegments,
            WriteWithNoSegments,
            TwelveDirectSegments,
            FirstSectAfterLastSect,
            LastSectPastThePage,
            SectorRangePastTheDisk,
            SectorRangeWrapping,
            UngrantedReference,
            ReferenceBelowTheReservedRange,
            GrantForAnotherDomain,
            ReadIntoReadOnlyGrant,
            IndirectWithTooManySegments,
            IndirectWithZeroSegments,
            IndirectWithBarrierOp,
            IndirectWithUngrantedIndirectPage,
        }

        [Theory]
        [CombinatorialCases]
        public void Malformed_request_is_answered_with_an_error_and_touches_nothing(Case c, BlkifAbi abi)
        {
            using var rig = BackendRig.Connected(abi, new BlkBackOptions { MaxIndirectSegments = 16 });
            var fe = rig.Frontend;
            var canaries = rig.CanaryPages(2);
            var granted = rig.GrantPages(1, fill: 0x3C)[0];
            var readOnly = rig.GrantPages(1, fill: 0x3C, readOnly: true)[0];
            uint ungrantedRef = fe.Grants.ClaimReference();
            uint otherDomainRef = fe.Grants.ClaimReference();
            fe.Grants.GrantAccess(otherDomainRef, 7, canaries[1], readOnly: false);
            ulong diskSectors = (ulong)rig.Disk.SizeBytes / 512;
            var seg = new BlkifSegment(granted.Gref, 0, 7);
            var indirect = rig.GrantPages(1, readOnly: true)[0];
            for (int i = 0; i < 20; i++) BlkifCodec.WriteSegment(fe.Page(indirect.Frame).Slice(i * 8), seg);
            var reason = RequestRejectReason.None;
            byte op = BlkifOp.Read;
            const ulong id = 0x1122334455667788;

            switch (c)
            {
                case Case.ReadWithNoSegments: fe.Queue(op, id, 0); reason = RequestRejectReason.BadSegmentCount; break;
                case Case.WriteWithNoSegments: op = BlkifOp.Write; fe.Queue(op, id, 0); reason = RequestRejectReason.BadSegmentCount; break;
                case Case.TwelveDirectSegments:
                {
                    uint i = fe.Queue(op, id, 0, seg);
                    fe.Slot(i)[BlkifLayout.NrSegmentsOffset] = 12;
                    reason = RequestRejectReason.BadSegmentCount;
                    break;
                }
                case Case.FirstSectAfterLastSect: fe.Queue(op, id, 0, seg, new BlkifSegment(granted.Gref, 5, 4)); reason = RequestRejectReason.BadSegment; break;
                case Case.LastSectPastThePage: fe.Queue(op, id, 0, new BlkifSegment(granted.Gref, 0, 8)); reason = RequestRejectReason.BadSegment; break;
                case Case.SectorRangePastTheDisk: fe.Queue(op, id, diskSectors - 7, seg); reason = RequestRejectReason.OutOfRange; break;
                case Case.SectorRangeWrapping: fe.Queue(op, id, ulong.MaxValue - 3, seg); reason = RequestRejectReason.OutOfRange; break;
                case Case.UngrantedReference: fe.Queue(op, id, 0, seg, new BlkifSegment(ungrantedRef, 0, 7)); reason = RequestRejectReason.GrantMapFailed; break;
                case Case.ReferenceBelowTheReservedRange: fe.Queue(op, id, 0, new BlkifSegment(3, 0, 7)); reason = RequestRejectReason.GrantMapFailed; break;
                case Case.GrantForAnotherDomain: fe.Queue(op, id, 0, new BlkifSegment(otherDomainRef, 0, 7)); reason = RequestRejectReason.GrantMapFailed; break;
                case Case.ReadIntoReadOnlyGrant: fe.Queue(op, id, 0, seg, new BlkifSegment(readOnly.Gref, 0, 7)); reason = RequestRejectReason.GrantMapFailed; break;
                case Case.IndirectWithTooManySegments: fe.QueueIndirect(op, id, 0, 17, indirect.Gref); reason = RequestRejectReason.BadSegmentCount; break;
                case Case.IndirectWithZeroSegments: fe.QueueIndirect(op, id, 0, 0, indirect.Gref); reason = RequestRejectReason.BadSegmentCount; break;
                case Case.IndirectWithBarrierOp: op = BlkifOp.WriteBarrier; fe.QueueIndirect(op, id, 0, 4, indirect.Gref); reason = RequestRejectReason.BadIndirectOperation; break;
                case Case.IndirectWithUngrantedIndirectPage: fe.QueueIndirect(op, id, 0, 4, ungrantedRef); reason = RequestRejectReason.GrantMapFailed; break;
            }
            var diskBefore = rig.Disk.Statistics;
            fe.Push();
            fe.Run();

            var rsp = Assert.Single(fe.TakeResponses());
            Assert.Equal(BlkifStatus.Error, rsp.Status);
            Assert.Equal(id, rsp.Id);
            Assert.Equal(op, rsp.Operation);
            Assert.Equal(1, rig.Backend.Statistics.Rejected(reason));
            Assert.Equal(1, rig.Backend.Statistics.TotalRejected);
            rig.AssertCanaries(canaries);
            Assert.True(fe.Page(granted.Frame).IndexOfAnyExcept((byte)0x3C) < 0);
            Assert.True(fe.Page(readOnly.Frame).IndexOfAnyExcept((byte)0x3C) < 0);
            Assert.Equal(diskBefore.Reads, rig.Disk.Statistics.Reads);
            Assert.Equal(diskBefore.Writes, rig.Disk.Statistics.Writes);
            Assert.Equal(1, fe.Grants.ActiveMappings);
            Assert.Contains(rig.Host.Trace.Snapshot(), e => e.Kind == global::XenVbd.Sim.TraceKind.RequestRejected && e.C == (long)reason);
        }

        [Theory]
        [InlineData(BlkifOp.Reserved1)]
        [InlineData((byte)7)]
        [InlineData((byte)0x80)]
        [InlineData(BlkifOp.Probe)]
        public void Unknown_operation_is_EOPNOTSUPP_with_the_op_echoed(byte op)
        {
            using var rig = BackendRig.Connected();
            var raw = new byte[112];
            raw[0] = op;
            BinaryPrimitives.WriteUInt64LittleEndian(raw.AsSpan(8), 42);
            rig.Frontend.QueueRaw(raw);
            rig.Frontend.Push();
            rig.Frontend.Run();
            var rsp = Assert.Single(rig.Frontend.TakeResponses());
            Assert.Equal(BlkifStatus.NotSupported, rsp.Status);
            Assert.Equal(op, rsp.Operation);
            Assert.Equal(42ul, rsp.Id);
            Assert.Equal(1, rig.Backend.Statistics.Rejected(RequestRejectReason.UnknownOperation));
        }

        [Fact]
        public void Grant_map_failure_fails_only_that_request()
        {
            using var rig = BackendRig.Connected();
            var fe = rig.Frontend;
            var pages = rig.GrantPages(3, fill: 0x77);
            fe.Grants.MapFaultHook = gref => gref == pages[1].Gref ? GrantStatus.GeneralError : GrantStatus.Okay;
            for (int i = 0; i < 3; i++) fe.Queue(BlkifOp.Write, (ulong)i, (ulong)(8 * i), new BlkifSegment(pages[i].Gref, 0, 7));
            fe.Push();
            fe.Run();
            var rs = fe.TakeResponses();
            Assert.Equal(3, rs.Count);
            Assert.Equal(BlkifStatus.Error, rs.Find(r => r.Id == 1).Status);
            Assert.Equal(BlkifStatus.Okay, rs.Find(r => r.Id == 0).Status);
            Assert.Equal(BlkifStatus.Okay, rs.Find(r => r.Id == 2).Status);
            Assert.Equal(new byte[4096], rig.DiskBytes(4096, 4096));
            Assert.Equal(0x77, rig.DiskBytes(8192, 4096)[0]);
            Assert.False(rig.Backend.IsRingHalted);
        }

        [Fact]
        public void Multi_segment_request_whose_last_grant_fails_releases_the_first_ones()
        {
            using var rig = BackendRig.Connected();
            var fe = rig.Frontend;
            var pages = rig.GrantPages(2);
            uint bad = fe.Grants.ClaimReference();
            var rsp = fe.Submit(BlkifOp.Read, 1, 0, new BlkifSegment(pages[0].Gref, 0, 7), new BlkifSegment(pages[1].Gref, 0, 7), new BlkifSegment(bad, 0, 7));
            Assert.Equal(BlkifStatus.Error, rsp.Status);
            Assert.False(fe.Grants.IsMapped(pages[0].Gref));
            Assert.False(fe.Grants.IsMapped(pages[1].Gref));
            Assert.True(fe.Grants.EndAccess(pages[0].Gref));
        }

        [Theory]
        [InlineData(BlkifAbi.X86_32)]
        [InlineData(BlkifAbi.X86_64)]
        public void Producer_index_more_than_a_ring_ahead_halts_the_ring_for_good(BlkifAbi abi)
        {
            using var rig = BackendRig.Connected(abi);
            var fe = rig.Frontend;
            var page = rig.GrantPages(1, 0x12)[0];
            fe.Queue(BlkifOp.Write, 1, 0, new BlkifSegment(page.Gref, 0, 7));
            fe.PushRaw(33);
            fe.Run();

            Assert.True(rig.Backend.IsRingHalted);
            Assert.Equal(1, rig.Backend.Statistics.RingHalts);
            Assert.Equal(0, rig.Backend.Statistics.RequestsConsumed);
            Assert.Equal(0u, fe.Shared.RspProd);
            // Linux's __do_block_io_op logs the halt and returns -EACCES; it writes nothing to XenStore.
            Assert.False(rig.Host.Store.Exists(fe.BackendPath + "/error"));
            Assert.Contains(rig.Host.Trace.Snapshot(), e => e.Kind == global::XenVbd.Sim.TraceKind.Fault && e.D == (int)BackendFault.RingHalted);

            // An honest req_prod afterwards changes nothing: the ring stays abandoned.
            fe.PushRaw(1);
            fe.Run();
            Assert.Equal(0, rig.Backend.Statistics.RequestsConsumed);
            Assert.Equal(new byte[512], rig.DiskBytes(0, 512));
            Assert.Equal(1, rig.Backend.Statistics.RingHalts);
        }

        [Fact]
        public void Exactly_a_ring_of_requests_is_not_an_overflow()
        {
            using var rig = BackendRig.Connected();
            var page = rig.GrantPages(1)[0];
            for (int i = 0; i < 32; i++) rig.Frontend.Queue(BlkifOp.Read, (ulong)i, 0, new BlkifSegment(page.Gref, 0, 0));
            rig.Frontend.Push();
            rig.Frontend.Run();
            Assert.False(rig.Backend.IsRingHalted);
            Assert.Equal(32, rig.Frontend.TakeResponses().Count);
        }
    }

    /// <summary>Every <see cref="ValidationTests.Case"/> in both ABIs.</summary>
    internal sealed class CombinatorialCasesAttribute : Xunit.Sdk.DataAttribute
    {
        public override System.Collections.Generic.IEnumerable<object[]> GetData(System.Reflection.MethodInfo testMethod)
        {
            foreach (ValidationTests.Case c in Enum.GetValues(typeof(ValidationTests.Case)))
                foreach (var abi in new[] { BlkifAbi.X86_32, BlkifAbi.X86_64 })
                    yield return new object[] { c, abi };
        }
    }
}

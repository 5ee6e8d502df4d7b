using XenVbd.Backend;
using XenVbd.Ring;
using XenVbd.Tests.Support;
using XenVbd.Xen;

namespace XenVbd.Tests.Backend
{
    public class AbiChoiceTests
    {
        [Theory]
        [InlineData(BackendAbiMode.Protocol, BlkifAbi.X86_64, "x86_64-abi", BlkifAbi.X86_64)]
        [InlineData(BackendAbiMode.Protocol, BlkifAbi.X86_64, "x86_32-abi", BlkifAbi.X86_32)]
        [InlineData(BackendAbiMode.Protocol, BlkifAbi.X86_64, null, BlkifAbi.X86_32)]
        [InlineData(BackendAbiMode.Native, BlkifAbi.X86_64, "x86_32-abi", BlkifAbi.X86_64)]
        [InlineData(BackendAbiMode.Native, BlkifAbi.X86_32, "x86_64-abi", BlkifAbi.X86_32)]
        [InlineData(BackendAbiMode.Native, BlkifAbi.X86_64, null, BlkifAbi.X86_64)]
        public void Backend_chooses_the_ring_layout_by_its_mode(BackendAbiMode mode, BlkifAbi native, string? protocol, BlkifAbi expected)
        {
            using var rig = BackendRig.Create(new BlkBackOptions { AbiMode = mode, NativeAbi = native });
            rig.Frontend.Connect(protocol);
            Assert.Equal(XenbusState.Connected, rig.Backend.State);
            Assert.Equal(expected, rig.Backend.ChosenAbi);
        }

        [Fact]
        public void Unknown_protocol_string_fails_the_connect_in_protocol_mode()
        {
            using var rig = BackendRig.Create();
            rig.Frontend.PublishRing("arm-abi");
            rig.Frontend.SetState(XenbusState.Initialised);
            rig.Frontend.Run();
            Assert.Equal(XenbusState.Closing, rig.Backend.State);
            Assert.Contains("arm-abi", rig.Host.Store.Read(rig.Frontend.BackendPath + "/error"));
            Assert.Equal(0, rig.Frontend.Grants.ActiveMappings);
        }

        /// <summary>GPLPV's probe: zero the ring, two op-0xff requests, push, notify.</summary>
        private static void Probe(TestFrontend fe)
        {
            fe.Shared.ClearAll();
            fe.Slot(0)[BlkifLayout.OperationOffset] = BlkifOp.Probe;
            fe.Slot(1)[BlkifLayout.OperationOffset] = BlkifOp.Probe;
            fe.ReqProdPvt = 2;
            fe.Push();
            fe.Run();
        }

        [Theory]
        [InlineData(BlkifAbi.X86_32)]
        [InlineData(BlkifAbi.X86_64)]
        public void Probe_on_a_same_layout_backend_comes_back_EOPNOTSUPP_with_op_0xff_twice(BlkifAbi abi)
        {
            using var rig = BackendRig.Create(new BlkBackOptions { AbiMode = BackendAbiMode.Native, NativeAbi = abi }, frontendAbi: abi);
            rig.Frontend.Connect(null);
            Probe(rig.Frontend);

            Assert.Equal(2u, rig.Frontend.Shared.RspProd);
            var second = rig.Frontend.ResponseAt(1);
            Assert.Equal(BlkifOp.Probe, second.Operation);
            Assert.Equal(BlkifStatus.NotSupported, second.Status);
            Assert.Equal(0ul, second.Id);
            var first = rig.Frontend.ResponseAt(0);
            Assert.Equal(BlkifOp.Probe, first.Operation);
            Assert.Equal(BlkifStatus.NotSupported, first.Status);
            Assert.Equal(2, rig.Backend.Statistics.Rejected(RequestRejectReason.UnknownOperation));
        }

        [Theory]
        [InlineData(BlkifAbi.X86_32)]
        [InlineData(BlkifAbi.X86_64)]
        public void Probe_on_an_other_layout_backend_shows_the_frontend_a_second_response_without_0xff(BlkifAbi frontendAbi)
        {
            var backendAbi = frontendAbi.Other();
            using var rig = BackendRig.Create(new BlkBackOptions { AbiMode = BackendAbiMode.Native, NativeAbi = backendAbi }, frontendAbi: frontendAbi);
            rig.Frontend.Connect(null);
            Probe(rig.Frontend);

            // The backend saw slot 0 (same offset in both layouts) as the probe, slot 1 as zeros: a READ
            // with no segments, answered ERROR echoing op 0 — in its own layout.
            Assert.Equal(2u, rig.Frontend.Shared.RspProd);
            var backendView0 = rig.Frontend.ResponseAt(0, backendAbi);
            var backendView1 = rig.Frontend.ResponseAt(1, backendAbi);
            Assert.Equal(BlkifOp.Probe, backendView0.Operation);
            Assert.Equal(BlkifStatus.NotSupported, backendView0.Status);
            Assert.Equal(BlkifOp.Read, backendView1.Operation);
            Assert.Equal(BlkifStatus.Error, backendView1.Status);
            Assert.Equal(1, rig.Backend.Statistics.Rejected(RequestRejectReason.BadSegmentCount));

            // The frontend reads the second response at its own stride: not 0xff, so it switches layout.
            var seen = rig.Frontend.ResponseAt(1, frontendAbi);
            Assert.NotEqual(BlkifOp.Probe, seen.Operation);
            Assert.Equal(0, seen.Operation);
        }

        [Fact]
        public void Frontend_with_no_protocol_key_and_a_64_bit_layout_is_misread_by_linux_blkback()
        {
            // The reason GPLPV had to probe: Linux assumes x86_32 when the key is missing.
            using var rig = BackendRig.Create(frontendAbi: BlkifAbi.X86_64);
            rig.Frontend.Connect(null);
            var page = rig.GrantPages(1, 0x44)[0];
            rig.Frontend.Queue(BlkifOp.Write, 0x0102030405060708, 8, new BlkifSegment(page.Gref, 0, 7));
            rig.Frontend.Push();
            rig.Frontend.Run();
            var r = rig.Frontend.ResponseAt(0, BlkifAbi.X86_32);
            // x86_32 reads the id from offset 4: the 64-bit layout's padding plus the id's low half.
            Assert.Equal(0x0506070800000000ul, r.Id);
            Assert.Equal(0, rig.DiskBytes(8 * 512, 512)[0]);
        }
    }
}

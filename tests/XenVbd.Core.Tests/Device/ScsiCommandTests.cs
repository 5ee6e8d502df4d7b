using System;
using System.Buffers.Binary;
using System.Text;
using XenVbd.Device;
using XenVbd.Frontend;
using XenVbd.Scsi;

namespace XenVbd.Tests.Device
{
    /// <summary>Each SCSI command's answer, byte for byte, through the whole device.</summary>
    public sealed class ScsiCommandTests : IDisposable
    {
        private readonly VbdDevice _dev = VbdDevice.Create(new VbdDeviceOptions { SizeBytes = 16 << 20, Name = "disk0" });

        public void Dispose() => _dev.Dispose();

        private static void AssertSense(SrbResult r, SenseKey key, ushort asc)
        {
            Assert.Equal(ScsiStatus.CheckCondition, r.ScsiStatus);
            Assert.True(r.SrbStatus.HasAutosense());
            Assert.Equal(0x70, r.Sense[0] & 0x7F);
            Assert.Equal((byte)key, (byte)(r.Sense[2] & 0x0F));
            Assert.Equal(asc >> 8, r.Sense[12]);
            Assert.Equal(asc & 0xFF, r.Sense[13]);
        }

        [Fact]
        public void Test_unit_ready_is_good_with_no_data()
        {
            var r = _dev.Execute(Cdb.TestUnitReady());
            Assert.True(r.IsSuccess);
            Assert.Empty(r.Data);
        }

        [Fact]
        public void Inquiry_standard_data_names_xen_pv_disk()
        {
            var r = _dev.Execute(Cdb.Inquiry(false, 0, 96), dataInLength: 96);
            Assert.True(r.IsSuccess);
            Assert.Equal(36, r.Data.Length);
            Assert.Equal(0x00, r.Data[0]);
            Assert.Equal(31, r.Data[4]);
            Assert.Equal("XEN     ", Encoding.ASCII.GetString(r.Data, 8, 8));
            Assert.Equal("PV DISK         ", Encoding.ASCII.GetString(r.Data, 16, 16));
        }

        [Fact]
        public void Inquiry_vpd_pages_list_serial_and_device_id()
        {
            var list = _dev.Execute(Cdb.Inquiry(true, 0x00, 64), dataInLength: 64);
            Assert.True(list.IsSuccess);
            Assert.Equal(0x00, list.Data[1]);
            var pages = list.Data.AsSpan(4, list.Data[3]).ToArray();
            Assert.Contains((byte)0x80, pages);
            Assert.Contains((byte)0x83, pages);
            Assert.Contains((byte)0xB0, pages);
            Assert.Contains((byte)0xB2, pages); // discard is on by default

            var serial = _dev.Execute(Cdb.Inquiry(true, 0x80, 64), dataInLength: 64);
            Assert.Equal(0x80, serial.Data[1]);
            Assert.Equal("disk0", Encoding.ASCII.GetString(serial.Data, 4, serial.Data[3]).Trim());

            var id = _dev.Execute(Cdb.Inquiry(true, 0x83, 128), dataInLength: 128);
            Assert.True(id.IsSuccess);
            Assert.Equal(0x83, id.Data[1]);

            var bad = _dev.Execute(Cdb.Inquiry(true, 0x55, 64), dataInLength: 64);
            AssertSense(bad, SenseKey.IllegalRequest, AdditionalSense.InvalidFieldInCdb);
        }

        [Fact]
        public void Read_capacity_10_and_16_give_last_lba_and_block_size()
        {
            var r10 = _dev.Execute(Cdb.ReadCapacity10(), dataInLength: 8);
            Assert.Equal((16u << 20) / 512 - 1, BinaryPrimitives.ReadUInt32BigEndian(r10.Data));
            Assert.Equal(512u, BinaryPrimitives.ReadUInt32BigEndian(r10.Data.AsSpan(4)));
            var r16 = _dev.Execute(Cdb.ReadCapacity16(32), dataInLength: 32);
            Assert.Equal(32, r16.Data.Length);
            Assert.Equal((16UL << 20) / 512 - 1, BinaryPrimitives.ReadUInt64BigEndian(r16.Data));
            Assert.Equal(512u, BinaryPrimitives.ReadUInt32BigEndian(r16.Data.AsSpan(8)));
            Assert.Equal(0x80, r16.Data[14] & 0x80); // LBPME with discard
        }

        [Fact]
        public void Mode_sense_returns_the_caching_page_and_write_protect_for_read_only()
        {
            var r6 = _dev.Execute(Cdb.ModeSense6(0x08, 255), dataInLength: 255);
            Assert.True(r6.IsSuccess);
            Assert.Equal(r6.Data.Length - 1, r6.Data[0]);
            Assert.Equal(0, r6.Data[2] & 0x80);
            int page = 4 + r6.Data[3];
            Assert.Equal(0x08, r6.Data[page] & 0x3F);
            Assert.Equal(0x04, r6.Data[page + 2] & 0x04); // WCE: flush is offered

            var r10 = _dev.Execute(Cdb.ModeSense10(0x3F, 255), dataInLength: 255);
            Assert.True(r10.IsSuccess);
            Assert.Equal(r10.Data.Length - 2, BinaryPrimitives.ReadUInt16BigEndian(r10.Data));

            using var ro = VbdDevice.Create(new VbdDeviceOptions { ReadOnly = true, SizeBytes = 1 << 20 });
            var rro = ro.Execute(Cdb.ModeSense6(0x3F, 255), dataInLength: 255);
            Assert.Equal(0x80, rro.Data[2] & 0x80);
            var w = ro.Execute(Cdb.Write10(0, 1), new byte[512]);
            AssertSense(w, SenseKey.DataProtect, AdditionalSense.WriteProtected);
        }

        [Fact]
        public void Report_luns_lists_lun_zero()
        {
            var r = _dev.Execute(Cdb.ReportLuns(64), dataInLength: 64);
            Assert.True(r.IsSuccess);
            Assert.Equal(16, r.Data.Length);
            Assert.Equal(8u, BinaryPrimitives.ReadUInt32BigEndian(r.Data));
            Assert.All(r.Data.AsSpan(8).ToArray(), b => Assert.Equal(0, b));
        }

        [Fact]
        public void Reads_and_writes_of_every_cdb_length_reach_the_same_blocks()
        {
            var data = Cdb.Pattern(4096, 3);
            Assert.True(_dev.Execute(Cdb.Write6(10, 8), data).IsSuccess);
            Assert.Equal(data, _dev.Execute(Cdb.Read10(10, 8), dataInLength: 4096).Data);
            var d2 = Cdb.Pattern(4096, 4);
            Assert.True(_dev.Execute(Cdb.Write12(20, 8), d2).IsSuccess);
            Assert.Equal(d2, _dev.Execute(Cdb.Read16(20, 8), dataInLength: 4096).Data);
            var d3 = Cdb.Pattern(4096, 5);
            Assert.True(_dev.Execute(Cdb.Write16(30, 8), d3).IsSuccess);
            Assert.Equal(d3, _dev.Execute(Cdb.Read6(30, 8), dataInLength: 4096).Data);
            Assert.Equal(d3, _dev.Execute(Cdb.Read12(30, 8), dataInLength: 4096).Data);
        }

        [Fact]
        public void Lba_past_the_end_is_logical_block_address_out_of_range()
        {
            uint blocks = (16u << 20) / 512;
            var r = _dev.Execute(Cdb.Read10(blocks - 1, 2), dataInLength: 1024);
            AssertSense(r, SenseKey.IllegalRequest, AdditionalSense.LogicalBlockAddressOutOfRange);
            long before = _dev.GetStatistics().Requests;
            _dev.Execute(Cdb.Write10(blocks, 1), new byte[512]);
            Assert.Equal(before, _dev.GetStatistics().Requests);
        }

        [Fact]
        public void Unsupported_opcode_is_invalid_command_operation_code()
        {
            var r = _dev.Execute(new byte[] { 0xC7, 0, 0, 0, 0, 0 });
            AssertSense(r, SenseKey.IllegalRequest, AdditionalSense.InvalidCommandOperationCode);
            var r2 = _dev.Execute(new byte[] { 0x04, 0, 0, 0, 0, 0 }); // FORMAT UNIT
            AssertSense(r2, SenseKey.IllegalRequest, AdditionalSense.InvalidCommandOperationCode);
        }

        [Fact]
        public void Synchronize_cache_uses_flush_then_barrier_then_nothing()
        {
            // FLUSH_DISKCACHE and DISCARD on the ring are the hardened design's (GPLPV 2008 refuses both).
            using var hardened = VbdDevice.Create(new VbdDeviceOptions { Personality = FrontendPersonality.Hardened, SizeBytes = 16 << 20, Name = "disk0" });
            var r = hardened.Execute(Cdb.SynchronizeCache10());
            Assert.True(r.IsSuccess);
            Assert.Equal(1, r.RequestsUsed);
            Assert.Equal(1, hardened.Backend.Statistics.RequestsByOp(XenVbd.Ring.BlkifOp.FlushDiskCache));

            // Current Linux writes feature-barrier with feature-flush-cache's value (connect()), so a barrier
            // without flush needs a backend that decides them apart: the 2008 one has no FLUSH_DISKCACHE at all.
            using var barrier = VbdDevice.Create(new VbdDeviceOptions { Personality = FrontendPersonality.Hardened, BackendPersonality = XenVbd.Backend.BackendPersonality.LinuxBlkback2008, SizeBytes = 1 << 20 });
            var rb = barrier.Execute(Cdb.SynchronizeCache10());
            Assert.True(rb.IsSuccess);
            Assert.Equal(1, rb.RequestsUsed);
            Assert.Equal(1, barrier.Backend.Statistics.RequestsByOp(XenVbd.Ring.BlkifOp.WriteBarrier));

            using var none = VbdDevice.Create(new VbdDeviceOptions { Personality = FrontendPersonality.Hardened, FeatureFlush = false, FeatureBarrier = false, SizeBytes = 1 << 20 });
            var rn = none.Execute(Cdb.SynchronizeCache10());
            Assert.True(rn.IsSuccess);
            Assert.Equal(0, rn.RequestsUsed);
        }

        [Fact]
        public void Unmap_becomes_a_discard_and_the_blocks_read_back_as_zeros()
        {
            // FLUSH_DISKCACHE and DISCARD on the ring are the hardened design's (GPLPV 2008 refuses both).
            using var hardened = VbdDevice.Create(new VbdDeviceOptions { Personality = FrontendPersonality.Hardened, SizeBytes = 16 << 20, Name = "disk0" });
            var data = Cdb.Pattern(8192, 9);
            Assert.True(hardened.Execute(Cdb.Write10(40, 16), data).IsSuccess);
            var list = Cdb.UnmapList(40, 16);
            var r = hardened.Execute(Cdb.Unmap((ushort)list.Length), list);
            Assert.True(r.IsSuccess);
            Assert.Equal(1, r.RequestsUsed);
            Assert.All(hardened.Execute(Cdb.Read10(40, 16), dataInLength: 8192).Data, b => Assert.Equal(0, b));

            using var noDiscard = VbdDevice.Create(new VbdDeviceOptions { Personality = FrontendPersonality.Hardened, FeatureDiscard = false, SizeBytes = 1 << 20 });
            AssertSense(noDiscard.Execute(Cdb.Unmap((ushort)list.Length), list), SenseKey.IllegalRequest, AdditionalSense.InvalidCommandOperationCode);
        }

        [Fact]
        public void Verify_checks_the_range_and_start_stop_unit_is_good()
        {
            Assert.True(_dev.Execute(Cdb.Verify10(0, 8)).IsSuccess);
            AssertSense(_dev.Execute(Cdb.Verify10((16u << 20) / 512, 8)), SenseKey.IllegalRequest, AdditionalSense.LogicalBlockAddressOutOfRange);
            Assert.True(_dev.Execute(Cdb.StartStopUnit(true)).IsSuccess);
        }

        [Fact]
        public void Resize_raises_capacity_data_has_changed_once_then_reports_the_new_capacity()
        {
            _dev.Resize(32 << 20);
            var inquiry = _dev.Execute(Cdb.Inquiry(false, 0, 36), dataInLength: 36);
            Assert.True(inquiry.IsSuccess); // INQUIRY does not consume the unit attention
            var first = _dev.Execute(Cdb.TestUnitReady());
            AssertSense(first, SenseKey.UnitAttention, AdditionalSense.CapacityDataHasChanged);
            Assert.True(_dev.Execute(Cdb.TestUnitReady()).IsSuccess);
            var cap = _dev.Execute(Cdb.ReadCapacity10(), dataInLength: 8);
            Assert.Equal((32u << 20) / 512 - 1, BinaryPrimitives.ReadUInt32BigEndian(cap.Data));
        }

        [Fact]
        public void Request_sense_without_a_pending_condition_is_no_sense()
        {
            var r = _dev.Execute(Cdb.RequestSense(18), dataInLength: 18);
            Assert.True(r.IsSuccess);
            Assert.Equal(18, r.Data.Length);
            Assert.Equal(0x70, r.Data[0]);
            Assert.Equal(0, r.Data[2] & 0x0F);
        }

        [Fact]
        public void A_backend_error_is_medium_error_sense()
        {
            _dev.BackendInterceptor = new FailEverything();
            var r = _dev.Execute(Cdb.Read10(0, 8), dataInLength: 4096);
            AssertSense(r, SenseKey.MediumError, AdditionalSense.UnrecoveredReadError);
            var w = _dev.Execute(Cdb.Write10(0, 8), new byte[4096]);
            AssertSense(w, SenseKey.MediumError, AdditionalSense.WriteError);
            _dev.BackendInterceptor = null;
            Assert.True(_dev.Execute(Cdb.Read10(0, 8), dataInLength: 4096).IsSuccess);
        }

        private sealed class FailEverything : XenVbd.Backend.IBackendInterceptor
        {
            public void OnRequest(XenVbd.Backend.BlkBack backend, ref XenVbd.Backend.BackendRequestPlan plan) => plan.StatusOverride = XenVbd.Ring.BlkifStatus.Error;
        }
    }
}

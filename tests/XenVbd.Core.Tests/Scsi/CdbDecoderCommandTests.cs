using XenVbd.Scsi;

namespace XenVbd.Tests.Scsi
{
    public class CdbDecoderCommandTests
    {
        [Theory]
        [InlineData(0x00, 6)]
        [InlineData(0x1F, 6)]
        [InlineData(0x25, 10)]
        [InlineData(0x5A, 10)]
        [InlineData(0x7F, 0)]
        [InlineData(0x88, 16)]
        [InlineData(0x9E, 16)]
        [InlineData(0xA0, 12)]
        [InlineData(0xBF, 12)]
        [InlineData(0xC0, 0)]
        [InlineData(0xFF, 0)]
        public void CdbLength_follows_the_group_code(byte opcode, int expected)
        {
            Assert.Equal(expected, CdbDecoder.CdbLength(opcode));
        }

        [Fact]
        public void An_unknown_opcode_is_an_invalid_command_operation_code_pointing_at_byte_0()
        {
            var cmd = CdbDecoder.Decode(new byte[] { 0x04, 0, 0, 0, 0, 0 }); // FORMAT UNIT

            Assert.Equal(CdbKind.Unsupported, cmd.Kind);
            Assert.Equal(SenseKey.IllegalRequest, cmd.Error.Key);
            Assert.Equal(AdditionalSense.InvalidCommandOperationCode, cmd.Error.AdditionalSenseCode);
            Assert.True(cmd.Error.SenseKeySpecificValid);
            Assert.True(cmd.Error.CommandData);
            Assert.Equal(0, cmd.Error.FieldPointer);
        }

        [Fact]
        public void An_empty_cdb_is_an_invalid_command_operation_code()
        {
            var cmd = CdbDecoder.Decode(System.ReadOnlySpan<byte>.Empty);

            Assert.Equal(CdbKind.Unsupported, cmd.Kind);
            Assert.Equal(AdditionalSense.InvalidCommandOperationCode, cmd.Error.AdditionalSenseCode);
        }

        [Theory]
        [InlineData(new byte[] { 0x28, 0, 0, 0, 0, 0, 0, 0, 1 }, CdbKind.Read)]
        [InlineData(new byte[] { 0x88, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0 }, CdbKind.Read)]
        [InlineData(new byte[] { 0x08, 0, 0, 0, 1 }, CdbKind.Read)]
        [InlineData(new byte[] { 0xAA, 0, 0, 0, 0, 0 }, CdbKind.Write)]
        [InlineData(new byte[] { 0x12 }, CdbKind.Inquiry)]
        [InlineData(new byte[] { 0x9E, 0x10 }, CdbKind.ReadCapacity16)]
        public void A_cdb_shorter_than_its_opcode_requires_is_an_invalid_field_in_cdb(byte[] cdb, CdbKind kind)
        {
            var cmd = CdbDecoder.Decode(cdb);

            Assert.False(cmd.IsValid);
            Assert.Equal(kind, cmd.Kind);
            Assert.Equal(SenseKey.IllegalRequest, cmd.Error.Key);
            Assert.Equal(AdditionalSense.InvalidFieldInCdb, cmd.Error.AdditionalSenseCode);
            Assert.False(cmd.Error.SenseKeySpecificValid);
        }

        [Fact]
        public void Bytes_after_the_cdb_length_are_ignored()
        {
            // Windows hands a 16-byte CDB buffer; a READ(10) uses only the first 10 bytes.
            var cdb = new byte[16];
            cdb[0] = 0x28;
            cdb[8] = 3;
            cdb[12] = 0xFF;

            var cmd = CdbDecoder.Decode(cdb);

            Assert.True(cmd.IsValid);
            Assert.Equal(3u, cmd.BlockCount);
            Assert.Equal(10, cmd.CdbLength);
        }

        [Fact]
        public void Naca_in_the_control_byte_is_refused_with_a_pointer_to_it()
        {
            var cmd = CdbDecoder.Decode(new byte[] { 0x00, 0, 0, 0, 0, 0x04 });

            Assert.Equal(SenseInfo.InvalidFieldInCdb(5, 2), cmd.Error);
        }

        [Fact]
        public void Test_unit_ready_decodes_with_no_data_phase()
        {
            var cmd = CdbDecoder.Decode(new byte[6]);

            Assert.True(cmd.IsValid);
            Assert.Equal(CdbKind.TestUnitReady, cmd.Kind);
            Assert.Equal(DataDirection.None, cmd.Direction);
        }

        [Fact]
        public void Inquiry_decodes_evpd_page_and_16_bit_allocation_length()
        {
            var cmd = CdbDecoder.Decode(new byte[] { 0x12, 0x01, 0x83, 0x01, 0x02, 0x00 });

            Assert.Equal(CdbKind.Inquiry, cmd.Kind);
            Assert.True(cmd.Evpd);
            Assert.Equal(0x83, cmd.PageCode);
            Assert.Equal(0x0102u, cmd.AllocationLength);
        }

        [Fact]
        public void Inquiry_with_a_page_code_but_no_evpd_is_an_invalid_field_at_byte_2()
        {
            var cmd = CdbDecoder.Decode(new byte[] { 0x12, 0x00, 0x80, 0x00, 0xFF, 0x00 });

            Assert.Equal(SenseInfo.InvalidFieldInCdb(2), cmd.Error);
        }

        [Fact]
        public void Inquiry_with_cmddt_is_refused()
        {
            Assert.Equal(SenseInfo.InvalidFieldInCdb(1, 1), CdbDecoder.Decode(new byte[] { 0x12, 0x02, 0, 0, 36, 0 }).Error);
        }

        [Fact]
        public void Request_sense_decodes_allocation_length_and_refuses_descriptor_format()
        {
            Assert.Equal(252u, CdbDecoder.Decode(new byte[] { 0x03, 0, 0, 0, 252, 0 }).AllocationLength);
            Assert.Equal(SenseInfo.InvalidFieldInCdb(1, 0), CdbDecoder.Decode(new byte[] { 0x03, 1, 0, 0, 18, 0 }).Error);
        }

        [Fact]
        public void Mode_sense6_decodes_dbd_pc_page_subpage_and_allocation_length()
        {
            var cmd = CdbDecoder.Decode(new byte[] { 0x1A, 0x08, 0x7F, 0xFF, 0xC0, 0x00 });

            Assert.Equal(CdbKind.ModeSense6, cmd.Kind);
            Assert.True(cmd.DisableBlockDescriptors);
            Assert.Equal(PageControl.Changeable, cmd.PageControl);
            Assert.Equal(0x3F, cmd.PageCode);
            Assert.Equal(0xFF, cmd.SubpageCode);
            Assert.Equal(0xC0u, cmd.AllocationLength);
        }

        [Fact]
        public void Mode_sense10_decodes_llbaa_and_the_16_bit_allocation_length()
        {
            var cmd = CdbDecoder.Decode(new byte[] { 0x5A, 0x10, 0x88, 0x00, 0, 0, 0, 0x01, 0x04, 0 });

            Assert.Equal(CdbKind.ModeSense10, cmd.Kind);
            Assert.True(cmd.LongLbaAccepted);
            Assert.False(cmd.DisableBlockDescriptors);
            Assert.Equal(PageControl.Default, cmd.PageControl);
            Assert.Equal(0x08, cmd.PageCode);
            Assert.Equal(0x104u, cmd.AllocationLength);
        }

        [Fact]
        public void Start_stop_unit_decodes_immed_power_condition_loej_and_start()
        {
            var cmd = CdbDecoder.Decode(new byte[] { 0x1B, 0x01, 0, 0, 0x33, 0 });

            Assert.Equal(CdbKind.StartStopUnit, cmd.Kind);
            Assert.True(cmd.Immediate);
            Assert.Equal(3, cmd.PowerCondition);
            Assert.True(cmd.LoadEject);
            Assert.True(cmd.Start);
        }

        [Fact]
        public void Read_capacity10_with_an_lba_but_no_pmi_is_an_invalid_field()
        {
            Assert.Equal(SenseInfo.InvalidFieldInCdb(2), CdbDecoder.Decode(new byte[] { 0x25, 0, 0, 0, 0, 1, 0, 0, 0, 0 }).Error);
            Assert.True(CdbDecoder.Decode(new byte[] { 0x25, 0, 0, 0, 0, 1, 0, 0, 1, 0 }).PartialMediumIndicator);
        }

        [Fact]
        public void Read_capacity16_is_service_action_10h_of_opcode_9Eh()
        {
            var cmd = CdbDecoder.Decode(new byte[] { 0x9E, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x20, 0, 0 });

            Assert.True(cmd.IsValid);
            Assert.Equal(CdbKind.ReadCapacity16, cmd.Kind);
            Assert.Equal(0x10, cmd.ServiceAction);
            Assert.Equal(32u, cmd.AllocationLength);
            Assert.Equal(DataDirection.In, cmd.Direction);
        }

        [Fact]
        public void Another_service_action_of_9Eh_is_an_invalid_field_at_byte_1_bit_4()
        {
            var cmd = CdbDecoder.Decode(new byte[] { 0x9E, 0x12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x20, 0, 0 });

            Assert.Equal(CdbKind.Unsupported, cmd.Kind);
            Assert.Equal(SenseInfo.InvalidFieldInCdb(1, 4), cmd.Error);
        }

        [Fact]
        public void Unmap_decodes_the_parameter_list_length_and_refuses_anchor()
        {
            var cmd = CdbDecoder.Decode(new byte[] { 0x42, 0, 0, 0, 0, 0, 0, 0x00, 0x18, 0 });

            Assert.Equal(CdbKind.Unmap, cmd.Kind);
            Assert.Equal(24u, cmd.ParameterListLength);
            Assert.Equal(DataDirection.Out, cmd.Direction);
            Assert.Equal(SenseInfo.InvalidFieldInCdb(1, 0), CdbDecoder.Decode(new byte[] { 0x42, 1, 0, 0, 0, 0, 0, 0, 0x18, 0 }).Error);
        }

        [Fact]
        public void Report_luns_decodes_select_report_and_32_bit_allocation_length()
        {
            var cmd = CdbDecoder.Decode(new byte[] { 0xA0, 0, 0x02, 0, 0, 0, 0x00, 0x01, 0x00, 0x10, 0, 0 });

            Assert.Equal(CdbKind.ReportLuns, cmd.Kind);
            Assert.Equal(2, cmd.SelectReport);
            Assert.Equal(0x10010u, cmd.AllocationLength);
        }
    }
}

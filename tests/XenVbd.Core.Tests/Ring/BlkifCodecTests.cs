using System;
using System.Buffers.Binary;
using XenVbd.Ring;

namespace XenVbd.Tests.Ring
{
    public class BlkifCodecTests
    {
        [Theory]
        [InlineData(BlkifAbi.X86_64, 8, 16, 24, 112)]
        [InlineData(BlkifAbi.X86_32, 4, 12, 20, 108)]
        public void Request_fields_land_at_the_abi_offsets(BlkifAbi abi, int idOff, int sectorOff, int segOff, int size)
        {
            var req = new BlkifRequest { Operation = BlkifOp.Write, NrSegments = 11, Handle = 0x1234, Id = 0x1122334455667788, SectorNumber = 0x0102030405060708 };
            for (int i = 0; i < 11; i++) req.SetSegment(i, new BlkifSegment((uint)(0xA0000000 + i), (byte)(i % 8), 7));
            var entry = new byte[120];
            entry.AsSpan().Fill(0xCC);
            BlkifCodec.WriteRequest(entry, abi, req);

            Assert.Equal(BlkifOp.Write, entry[0]);
            Assert.Equal(11, entry[1]);
            Assert.Equal(0x1234, BinaryPrimitives.ReadUInt16LittleEndian(entry.AsSpan(2)));
            Assert.Equal(0x1122334455667788UL, BinaryPrimitives.ReadUInt64LittleEndian(entry.AsSpan(idOff)));
            Assert.Equal(0x0102030405060708UL, BinaryPrimitives.ReadUInt64LittleEndian(entry.AsSpan(sectorOff)));
            for (int i = 0; i < 11; i++)
            {
                var s = entry.AsSpan(segOff + i * 8);
                Assert.Equal((uint)(0xA0000000 + i), BinaryPrimitives.ReadUInt32LittleEndian(s));
                Assert.Equal((byte)(i % 8), s[4]);
                Assert.Equal(7, s[5]);
                Assert.Equal(0, s[6]);
                Assert.Equal(0, s[7]);
            }
            Assert.Equal(size, BlkifLayout.RequestSize(abi));
            // The writer owns exactly the request's bytes: padding zeroed, nothing past the stride touched.
            if (abi == BlkifAbi.X86_64) Assert.Equal(new byte[4], entry[4..8]);
            Assert.All(entry[size..], b => Assert.Equal(0xCC, b));

            BlkifCodec.ReadRequest(entry, abi, out var back);
            Assert.Equal(req.Id, back.Id);
            Assert.Equal(req.SectorNumber, back.SectorNumber);
            Assert.Equal(req.Handle, back.Handle);
            for (int i = 0; i < 11; i++) Assert.Equal(req.GetSegment(i).Gref, back.GetSegment(i).Gref);
        }

        [Theory]
        [InlineData(BlkifAbi.X86_64, 16)]
        [InlineData(BlkifAbi.X86_32, 12)]
        public void Response_is_written_field_by_field_with_padding_zeroed(BlkifAbi abi, int size)
        {
            var entry = new byte[112];
            entry.AsSpan().Fill(0xEE);
            BlkifCodec.WriteResponse(entry, abi, new BlkifResponse(0xDEADBEEFCAFEF00D, BlkifOp.Read, BlkifStatus.NotSupported));
            Assert.Equal(0xDEADBEEFCAFEF00DUL, BinaryPrimitives.ReadUInt64LittleEndian(entry));
            Assert.Equal(BlkifOp.Read, entry[8]);
            Assert.Equal(0, entry[9]);
            Assert.Equal(-2, BinaryPrimitives.ReadInt16LittleEndian(entry.AsSpan(10)));
            if (abi == BlkifAbi.X86_64) Assert.Equal(new byte[4], entry[12..16]);
            Assert.All(entry[size..], b => Assert.Equal(0xEE, b));
            BlkifCodec.ReadResponse(entry, abi, out var rsp);
            Assert.Equal(BlkifStatus.NotSupported, rsp.Status);
        }

        [Theory]
        [InlineData(BlkifAbi.X86_64, 8, 16, 24)]
        [InlineData(BlkifAbi.X86_32, 4, 12, 20)]
        public void Discard_fields_land_at_the_abi_offsets(BlkifAbi abi, int idOff, int sectorOff, int nrOff)
        {
            var entry = new byte[112];
            BlkifCodec.WriteDiscard(entry, abi, new BlkifDiscardRequest { Operation = BlkifOp.Discard, Flag = BlkifOp.DiscardFlagSecure, Handle = 3, Id = 77, SectorNumber = 1 << 20, NrSectors = 4096 });
            Assert.Equal(5, entry[0]);
            Assert.Equal(1, entry[1]);
            Assert.Equal(77UL, BinaryPrimitives.ReadUInt64LittleEndian(entry.AsSpan(idOff)));
            Assert.Equal(1UL << 20, BinaryPrimitives.ReadUInt64LittleEndian(entry.AsSpan(sectorOff)));
            Assert.Equal(4096UL, BinaryPrimitives.ReadUInt64LittleEndian(entry.AsSpan(nrOff)));
            BlkifCodec.ReadDiscard(entry, abi, out var back);
            Assert.Equal(4096UL, back.NrSectors);
            Assert.Equal(1, back.Flag);
        }

        [Theory]
        [InlineData(BlkifAbi.X86_64, 8, 16, 24, 28)]
        [InlineData(BlkifAbi.X86_32, 4, 12, 20, 24)]
        public void Indirect_fields_land_at_the_abi_offsets(BlkifAbi abi, int idOff, int sectorOff, int handleOff, int grefOff)
        {
            var req = new BlkifIndirectRequest { Operation = BlkifOp.Indirect, IndirectOp = BlkifOp.Read, NrSegments = 4000, Id = 9, SectorNumber = 123456789, Handle = 0xBEEF };
            for (int i = 0; i < 8; i++) req.SetIndirectGref(i, (uint)(100 + i));
            var entry = new byte[112];
            BlkifCodec.WriteIndirect(entry, abi, req);
            Assert.Equal(6, entry[0]);
            Assert.Equal(0, entry[1]);
            Assert.Equal(4000, BinaryPrimitives.ReadUInt16LittleEndian(entry.AsSpan(2)));
            Assert.Equal(9UL, BinaryPrimitives.ReadUInt64LittleEndian(entry.AsSpan(idOff)));
            Assert.Equal(123456789UL, BinaryPrimitives.ReadUInt64LittleEndian(entry.AsSpan(sectorOff)));
            Assert.Equal(0xBEEF, BinaryPrimitives.ReadUInt16LittleEndian(entry.AsSpan(handleOff)));
            for (int i = 0; i < 8; i++) Assert.Equal((uint)(100 + i), BinaryPrimitives.ReadUInt32LittleEndian(entry.AsSpan(grefOff + 4 * i)));
            BlkifCodec.ReadIndirect(entry, abi, out var back);
            Assert.Equal(4000, back.NrSegments);
            Assert.Equal(8, back.IndirectPageCount);
            Assert.Equal(107u, back.GetIndirectGref(7));
        }

        [Fact]
        public void Reading_a_64_bit_request_at_32_bit_offsets_garbles_id_and_sector()
        {
            // This is the bitness mismatch the seed describes: the same bytes mean something else.
            var entry = new byte[112];
            BlkifCodec.WriteRequest(entry, BlkifAbi.X86_64, new BlkifRequest { Operation = BlkifOp.Read, NrSegments = 1, Id = 5, SectorNumber = 10 });
            BlkifCodec.ReadRequest(entry, BlkifAbi.X86_32, out var wrong);
            Assert.NotEqual(5UL, wrong.Id);
            Assert.NotEqual(10UL, wrong.SectorNumber);
        }

        [Fact]
        public void Short_entry_is_rejected_with_a_clear_message()
        {
            var ex = Assert.Throws<ArgumentException>(() => BlkifCodec.WriteRequest(new byte[100], BlkifAbi.X86_64, default));
            Assert.Contains("112", ex.Message);
        }
    }
}

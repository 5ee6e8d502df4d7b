using CsCheck;
using XenVbd.Scsi;

namespace XenVbd.Tests.Scsi
{
    public class CdbDecoderPropertyTests
    {
        private static readonly byte[] TransferOpcodes =
        {
            ScsiOp.Read6, ScsiOp.Write6, ScsiOp.Read10, ScsiOp.Write10, ScsiOp.Read12, ScsiOp.Write12,
            ScsiOp.Read16, ScsiOp.Write16, ScsiOp.Verify10, ScsiOp.Verify12, ScsiOp.Verify16,
        };

        [Fact]
        public void Decoding_random_bytes_never_throws_and_errors_always_carry_illegal_request()
        {
            Gen.Byte.Array[0, 20].Sample(cdb =>
            {
                var cmd = CdbDecoder.Decode(cdb);
                if (!cmd.IsValid)
                {
                    Assert.Equal(SenseKey.IllegalRequest, cmd.Error.Key);
                    Assert.Equal(DataDirection.None, cmd.Direction);
                }
                else
                {
                    Assert.True(cdb.Length >= cmd.CdbLength && cmd.CdbLength > 0);
                    Assert.NotEqual(CdbKind.Unsupported, cmd.Kind);
                }
            }, iter: 20_000);
        }

        [Fact]
        public void Random_bytes_behind_a_known_opcode_never_throw()
        {
            // Uniform bytes rarely hit a known opcode; this generator always does, with any tail and length.
            var gen = Gen.Select(Gen.OneOf(AllKnownOpcodes()), Gen.Byte.Array[0, 17]);
            gen.Sample((op, tail) =>
            {
                var cdb = new byte[tail.Length + 1];
                cdb[0] = op;
                tail.CopyTo(cdb, 1);
                var cmd = CdbDecoder.Decode(cdb);
                Assert.Equal(op, cmd.Opcode);
                Assert.Equal(cmd.IsValid, cmd.Error.IsNone);
            }, iter: 20_000);
        }

        [Fact]
        public void Encoding_lba_and_count_then_decoding_returns_them_for_every_transfer_form()
        {
            var gen = Gen.Select(Gen.OneOf(TransferOpcodes), Gen.ULong, Gen.UInt);
            gen.Sample((op, rawLba, rawCount) =>
            {
                // Fit the values to the form's field widths: 21/256 for (6), 32/16 for (10), 32/32 for (12), 64/32 for (16).
                ulong lba;
                uint count;
                switch (CdbDecoder.CdbLength(op))
                {
                    case 6: lba = rawLba & 0x1F_FFFF; count = (rawCount % 256) + 1; break;
                    case 10: lba = (uint)rawLba; count = (ushort)rawCount; break;
                    case 12: lba = (uint)rawLba; count = rawCount; break;
                    default: lba = rawLba; count = rawCount; break;
                }

                var cmd = CdbDecoder.Decode(CdbEncoder.Transfer(op, lba, count));

                Assert.True(cmd.IsValid, cmd.ToString());
                Assert.Equal(lba, cmd.Lba);
                Assert.Equal(count, cmd.BlockCount);
            }, iter: 20_000);
        }

        private static byte[] AllKnownOpcodes() => new byte[]
        {
            ScsiOp.TestUnitReady, ScsiOp.RequestSense, ScsiOp.Read6, ScsiOp.Write6, ScsiOp.Inquiry, ScsiOp.ModeSense6,
            ScsiOp.StartStopUnit, ScsiOp.ReadCapacity10, ScsiOp.Read10, ScsiOp.Write10, ScsiOp.Verify10,
            ScsiOp.SynchronizeCache10, ScsiOp.Unmap, ScsiOp.ModeSense10, ScsiOp.Read16, ScsiOp.Write16, ScsiOp.Verify16,
            ScsiOp.SynchronizeCache16, ScsiOp.ServiceActionIn16, ScsiOp.ReportLuns, ScsiOp.Read12, ScsiOp.Write12, ScsiOp.Verify12,
        };
    }
}

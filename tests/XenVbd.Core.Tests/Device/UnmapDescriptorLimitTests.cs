using System;
using System.Buffers.Binary;
using XenVbd.Device;
using XenVbd.Frontend;

namespace XenVbd.Tests.Device
{
    /// <summary>
    /// The UNMAP descriptor limit the disk reports (VPD page B0h) and the room each SRB extension has for
    /// extents are one number: a command with exactly the reported count of descriptors succeeds.
    /// </summary>
    public sealed class UnmapDescriptorLimitTests
    {
        [Fact]
        public void An_unmap_with_the_reported_descriptor_limit_succeeds()
        {
            using var dev = VbdDevice.Create(new VbdDeviceOptions { Personality = FrontendPersonality.Hardened, SizeBytes = 4 << 20 });
            var page = dev.Execute(Cdb.Inquiry(evpd: true, page: 0xB0, alloc: 64), dataInLength: 64);
            Assert.True(page.IsSuccess);
            uint limit = BinaryPrimitives.ReadUInt32BigEndian(page.Data.AsSpan(24, 4));   // MAXIMUM UNMAP BLOCK DESCRIPTOR COUNT
            Assert.True(limit > 1);

            // limit descriptors of 8 blocks each, 16 blocks apart (so none can merge with the next).
            var list = new byte[8 + 16 * (int)limit];
            BinaryPrimitives.WriteUInt16BigEndian(list, (ushort)(list.Length - 2));
            BinaryPrimitives.WriteUInt16BigEndian(list.AsSpan(2), (ushort)(16 * limit));
            for (int i = 0; i < limit; i++)
            {
                BinaryPrimitives.WriteUInt64BigEndian(list.AsSpan(8 + 16 * i), (ulong)(16 * i));
                BinaryPrimitives.WriteUInt32BigEndian(list.AsSpan(16 + 16 * i), 8);
            }

            var r = dev.Execute(Cdb.Unmap((ushort)list.Length), list);
            Assert.True(r.IsSuccess, r.ToString());
        }
    }
}

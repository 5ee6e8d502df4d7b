using System;
using System.Buffers.Binary;

namespace XenVbd.Tests.Device
{
    /// <summary>CDB bytes for the tests, built by hand from SBC/SPC so the tests do not trust the decoder they exercise.</summary>
    internal static class Cdb
    {
        public static byte[] Read10(uint lba, ushort blocks) => Rw10(0x28, lba, blocks);

        public static byte[] Write10(uint lba, ushort blocks) => Rw10(0x2A, lba, blocks);

        public static byte[] Read16(ulong lba, uint blocks) => Rw16(0x88, lba, blocks);

        public static byte[] Write16(ulong lba, uint blocks) => Rw16(0x8A, lba, blocks);

        public static byte[] Read6(uint lba, byte blocks) => new byte[] { 0x08, (byte)(lba >> 16 & 0x1F), (byte)(lba >> 8), (byte)lba, blocks, 0 };

        public static byte[] Write6(uint lba, byte blocks) => new byte[] { 0x0A, (byte)(lba >> 16 & 0x1F), (byte)(lba >> 8), (byte)lba, blocks, 0 };

        public static byte[] Read12(uint lba, uint blocks) => Rw12(0xA8, lba, blocks);

        public static byte[] Write12(uint lba, uint blocks) => Rw12(0xAA, lba, blocks);

        public static byte[] TestUnitReady() => new byte[6];

        public static byte[] Inquiry(bool evpd, byte page, ushort alloc) => new byte[] { 0x12, (byte)(evpd ? 1 : 0), page, (byte)(alloc >> 8), (byte)alloc, 0 };

        public static byte[] RequestSense(byte alloc) => new byte[] { 0x03, 0, 0, 0, alloc, 0 };

        public static byte[] ReadCapacity10() => new byte[10] { 0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0 };

        public static byte[] ReadCapacity16(uint alloc)
        {
            var c = new byte[16];
            c[0] = 0x9E;
            c[1] = 0x10;
            BinaryPrimitives.WriteUInt32BigEndian(c.AsSpan(10), alloc);
            return c;
        }

        public static byte[] ModeSense6(byte page, byte alloc) => new byte[] { 0x1A, 0, page, 0, alloc, 0 };

        public static byte[] ModeSense10(byte page, ushort alloc) => new byte[] { 0x5A, 0, page, 0, 0, 0, 0, (byte)(alloc >> 8), (byte)alloc, 0 };

        public static byte[] SynchronizeCache10() => new byte[10] { 0x35, 0, 0, 0, 0, 0, 0, 0, 0, 0 };

        public static byte[] Verify10(uint lba, ushort blocks) => Rw10(0x2F, lba, blocks);

        public static byte[] StartStopUnit(bool start) => new byte[] { 0x1B, 0, 0, 0, (byte)(start ? 1 : 0), 0 };

        public static byte[] ReportLuns(uint alloc)
        {
            var c = new byte[12];
            c[0] = 0xA0;
            BinaryPrimitives.WriteUInt32BigEndian(c.AsSpan(6), alloc);
            return c;
        }

        public static byte[] Unmap(ushort listLength)
        {
            var c = new byte[10];
            c[0] = 0x42;
            BinaryPrimitives.WriteUInt16BigEndian(c.AsSpan(7), listLength);
            return c;
        }

        public static byte[] UnmapList(ulong lba, uint blocks)
        {
            var p = new byte[24];
            BinaryPrimitives.WriteUInt16BigEndian(p, 22);
            BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(2), 16);
            BinaryPrimitives.WriteUInt64BigEndian(p.AsSpan(8), lba);
            BinaryPrimitives.WriteUInt32BigEndian(p.AsSpan(16), blocks);
            return p;
        }

        private static byte[] Rw10(byte op, uint lba, ushort blocks)
        {
            var c = new byte[10];
            c[0] = op;
            BinaryPrimitives.WriteUInt32BigEndian(c.AsSpan(2), lba);
            BinaryPrimitives.WriteUInt16BigEndian(c.AsSpan(7), blocks);
            return c;
        }

        private static byte[] Rw12(byte op, uint lba, uint blocks)
        {
            var c = new byte[12];
            c[0] = op;
            BinaryPrimitives.WriteUInt32BigEndian(c.AsSpan(2), lba);
            BinaryPrimitives.WriteUInt32BigEndian(c.AsSpan(6), blocks);
            return c;
        }

        private static byte[] Rw16(byte op, ulong lba, uint blocks)
        {
            var c = new byte[16];
            c[0] = op;
            BinaryPrimitives.WriteUInt64BigEndian(c.AsSpan(2), lba);
            BinaryPrimitives.WriteUInt32BigEndian(c.AsSpan(10), blocks);
            return c;
        }

        public static byte[] Pattern(int length, int seed)
        {
            var b = new byte[length];
            uint x = (uint)seed * 2654435761u + 12345;
            for (int i = 0; i < b.Length; i++)
            {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                b[i] = (byte)x;
            }

            return b;
        }
    }
}

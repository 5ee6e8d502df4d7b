namespace XenVbd.MonoTests
{
    /// <summary>READ(10)/WRITE(10) CDBs built by hand from SBC-3, so the check does not trust the engine's own builder.</summary>
    internal static class Cdb
    {
        public static byte[] Read10(uint lba, ushort blocks) => Rw10(0x28, lba, blocks);

        public static byte[] Write10(uint lba, ushort blocks) => Rw10(0x2A, lba, blocks);

        private static byte[] Rw10(byte op, uint lba, ushort blocks) => new byte[]
        {
            op, 0, (byte)(lba >> 24), (byte)(lba >> 16), (byte)(lba >> 8), (byte)lba, 0, (byte)(blocks >> 8), (byte)blocks, 0,
        };
    }
}

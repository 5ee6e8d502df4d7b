using System;

namespace XenVbd.Ring
{
    /// <summary>The two ring layouts of blkif: they differ because x86_32 aligns u64 to 4 bytes.</summary>
    public enum BlkifAbi
    {
        X86_32 = 32,
        X86_64 = 64,
    }

    public static class BlkifAbiNames
    {
        public const string X86_32Protocol = "x86_32-abi";
        public const string X86_64Protocol = "x86_64-abi";

        public static string ToProtocolString(this BlkifAbi abi) => abi switch
        {
            BlkifAbi.X86_32 => X86_32Protocol,
            BlkifAbi.X86_64 => X86_64Protocol,
            _ => throw new ArgumentOutOfRangeException(nameof(abi), abi, "Unknown blkif ABI."),
        };

        /// <summary>Parses a XenStore <c>protocol</c> value; returns false for anything else.</summary>
        public static bool TryParseProtocol(string? value, out BlkifAbi abi)
        {
            switch (value)
            {
                case X86_32Protocol: abi = BlkifAbi.X86_32; return true;
                case X86_64Protocol: abi = BlkifAbi.X86_64; return true;
                default: abi = default; return false;
            }
        }

        public static BlkifAbi Other(this BlkifAbi abi) => abi == BlkifAbi.X86_32 ? BlkifAbi.X86_64 : BlkifAbi.X86_32;
    }
}

namespace XenVbd.Ring
{
    /// <summary>blkif request operations (the <c>operation</c> byte of a request and its response).</summary>
    public static class BlkifOp
    {
        public const byte Read = 0;
        public const byte Write = 1;
        public const byte WriteBarrier = 2;
        public const byte FlushDiskCache = 3;
        public const byte Reserved1 = 4;
        public const byte Discard = 5;
        public const byte Indirect = 6;

        /// <summary>The operation GPLPV put on the ring to find out which layout the backend reads.</summary>
        public const byte Probe = 0xff;

        /// <summary>Discard flag: the backend must make the data unrecoverable, not just unmap it.</summary>
        public const byte DiscardFlagSecure = 1;

        public static string Name(byte op) => op switch
        {
            Read => "READ",
            Write => "WRITE",
            WriteBarrier => "WRITE_BARRIER",
            FlushDiskCache => "FLUSH_DISKCACHE",
            Reserved1 => "RESERVED_1",
            Discard => "DISCARD",
            Indirect => "INDIRECT",
            Probe => "PROBE(0xff)",
            _ => "OP(0x" + op.ToString("x2") + ")",
        };
    }

    /// <summary>blkif response status values (a signed 16-bit field).</summary>
    public static class BlkifStatus
    {
        public const short Okay = 0;
        public const short Error = -1;
        public const short NotSupported = -2;

        public static string Name(short status) => status switch
        {
            Okay => "BLKIF_RSP_OKAY",
            Error => "BLKIF_RSP_ERROR",
            NotSupported => "BLKIF_RSP_EOPNOTSUPP",
            _ => "STATUS(" + status + ")",
        };
    }

    /// <summary>Bits of the backend's XenStore <c>info</c> key.</summary>
    public static class VdiskInfo
    {
        public const int CdRom = 1;
        public const int Removable = 2;
        public const int ReadOnly = 4;
    }
}

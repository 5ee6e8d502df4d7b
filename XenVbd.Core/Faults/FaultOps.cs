using System;
using XenVbd.Ring;

namespace XenVbd.Faults
{
    /// <summary>Which blkif operations a rule applies to, as flags so one rule can cover reads and writes.</summary>
    [Flags]
    public enum FaultOps
    {
        None = 0,
        Read = 1,
        Write = 2,
        Flush = 4,
        Discard = 8,

        /// <summary>Barriers, the ABI probe's op 0xff, and anything else.</summary>
        Other = 16,
        All = Read | Write | Flush | Discard | Other,
    }

    /// <summary>Maps wire operation codes onto <see cref="FaultOps"/>.</summary>
    public static class FaultOpsExtensions
    {
        public static FaultOps FromBlkifOp(byte operation) => operation switch
        {
            BlkifOp.Read => FaultOps.Read,
            BlkifOp.Write => FaultOps.Write,
            BlkifOp.FlushDiskCache => FaultOps.Flush,
            BlkifOp.Discard => FaultOps.Discard,
            _ => FaultOps.Other,
        };
    }
}

using System.Collections.Generic;
using System.Globalization;
using XenVbd.Ring;

namespace XenVbd.Interop
{
    /// <summary>
    /// The C# layout table in the line format layout.c prints: "key value...". run.sh compares
    /// the two by key; tests/XenVbd.Core.Tests/Interop/LayoutInteropTests.cs does the same in-process.
    /// </summary>
    public static class LayoutListing
    {
        public static IEnumerable<string> Lines(BlkifAbi abi)
        {
            var inv = CultureInfo.InvariantCulture;
            yield return "abi " + abi.ToProtocolString();
            foreach (var f in BlkifLayout.Describe(abi))
                yield return string.Format(inv, "{0}.{1} {2} {3}", f.Structure, f.Field, f.Offset, f.Size);
            yield return string.Format(inv, "blkif_sring_entry.(size) 0 {0}", BlkifLayout.EntryStride(abi));
            for (int order = 0; order <= BlkifLayout.MaxRingPageOrder; order++)
                yield return string.Format(inv, "ring.order{0} {1} {2}", order, XenPage.Size << order, BlkifLayout.RingEntries(abi, order));
            int shift = 0;
            while ((1 << shift) < XenPage.Size) shift++;
            yield return Const("XEN_PAGE_SHIFT", shift);
            yield return Const("BLKIF_MAX_SEGMENTS_PER_REQUEST", BlkifLayout.MaxSegmentsPerRequest);
            yield return Const("BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST", BlkifLayout.MaxIndirectPagesPerRequest);
            yield return Const("BLKIF_OP_READ", BlkifOp.Read);
            yield return Const("BLKIF_OP_WRITE", BlkifOp.Write);
            yield return Const("BLKIF_OP_WRITE_BARRIER", BlkifOp.WriteBarrier);
            yield return Const("BLKIF_OP_FLUSH_DISKCACHE", BlkifOp.FlushDiskCache);
            yield return Const("BLKIF_OP_RESERVED_1", BlkifOp.Reserved1);
            yield return Const("BLKIF_OP_DISCARD", BlkifOp.Discard);
            yield return Const("BLKIF_OP_INDIRECT", BlkifOp.Indirect);
            yield return Const("BLKIF_DISCARD_SECURE", BlkifOp.DiscardFlagSecure);
            yield return Const("BLKIF_RSP_OKAY", BlkifStatus.Okay);
            yield return Const("BLKIF_RSP_ERROR", BlkifStatus.Error);
            yield return Const("BLKIF_RSP_EOPNOTSUPP", BlkifStatus.NotSupported);
            yield return Const("VDISK_CDROM", VdiskInfo.CdRom);
            yield return Const("VDISK_REMOVABLE", VdiskInfo.Removable);
            yield return Const("VDISK_READONLY", VdiskInfo.ReadOnly);
            yield return "const.XEN_IO_PROTO_ABI_NATIVE " + abi.ToProtocolString();
        }

        private static string Const(string name, long value) => "const." + name + " " + value.ToString(CultureInfo.InvariantCulture);
    }
}

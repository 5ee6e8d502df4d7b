using XenVbd.Scsi;

namespace XenVbd.Tests.Scsi
{
    /// <summary>Disks the answer tests share; their numbers are chosen so expected bytes are easy to hand-check.</summary>
    internal static class TestDisks
    {
        /// <summary>1 GiB of 512-byte blocks: 0x200000 blocks, last LBA 0x1FFFFF.</summary>
        public static ScsiDiskInfo Plain() => new ScsiDiskInfo(blockCount: 0x200000, serialNumber: "SN42");

        /// <summary>512e disk with discard: 4 KiB physical, 1 MiB discard granularity, 2048-block max transfer.</summary>
        public static ScsiDiskInfo Discard() => new ScsiDiskInfo(
            blockCount: 0x200000,
            serialNumber: "SN42",
            physicalBlockSize: 4096,
            discardSupported: true,
            discardGranularityBytes: 1 << 20,
            maxTransferBlocks: 0x800,
            maxUnmapDescriptors: 16);
    }
}

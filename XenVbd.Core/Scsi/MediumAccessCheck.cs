namespace XenVbd.Scsi
{
    /// <summary>
    /// The checks of a medium-access command that need the disk as well as the CDB (SBC-3 4.5, 5.x):
    /// write protection, LBA range and maximum transfer length. Run after a successful decode and before
    /// any blkif request is built; <see cref="SenseInfo.None"/> means the command may proceed.
    /// </summary>
    public static class MediumAccessCheck
    {
        public static SenseInfo Check(in ScsiCommand command, ScsiDiskInfo disk)
        {
            if (!command.IsValid)
            {
                return command.Error;
            }

            switch (command.Kind)
            {
                case CdbKind.Write:
                case CdbKind.Unmap:
                    if (command.Kind == CdbKind.Unmap && !disk.DiscardSupported)
                    {
                        return SenseInfo.InvalidOpcode();
                    }

                    if (disk.ReadOnly)
                    {
                        return SenseInfo.WriteProtected();
                    }

                    return command.Kind == CdbKind.Write ? CheckTransfer(command, disk) : SenseInfo.None;
                case CdbKind.Read:
                case CdbKind.Verify:
                    return CheckTransfer(command, disk);
                case CdbKind.SynchronizeCache:
                    // Count 0 means "to the end", so only the start must lie on the medium.
                    return InRange(command.Lba, command.BlockCount, disk) ? SenseInfo.None : SenseInfo.LbaOutOfRange();
                default:
                    return SenseInfo.None;
            }
        }

        private static SenseInfo CheckTransfer(in ScsiCommand command, ScsiDiskInfo disk)
        {
            if (!InRange(command.Lba, command.BlockCount, disk))
            {
                return SenseInfo.LbaOutOfRange();
            }

            // SBC-3 6.6.3: a transfer longer than the block limits page's MAXIMUM TRANSFER LENGTH is refused.
            if (command.BlockCount > disk.MaxTransferBlocks)
            {
                return SenseInfo.InvalidFieldInCdb(TransferLengthOffset(command.CdbLength));
            }

            return SenseInfo.None;
        }

        /// <summary>lba + count ≤ capacity without overflow; a zero-length access at the capacity is allowed.</summary>
        private static bool InRange(ulong lba, uint count, ScsiDiskInfo disk)
            => lba <= disk.BlockCount && count <= disk.BlockCount - lba;

        private static int TransferLengthOffset(int cdbLength) => cdbLength switch
        {
            6 => 4,
            10 => 7,
            12 => 6,
            _ => 10,
        };
    }
}

namespace XenVbd.PowerShell
{
    /// <summary>What Test-VbdIntegrity found on one device.</summary>
    public enum VbdIntegrityOutcome
    {
        /// <summary>Every block this session wrote was read back unchanged.</summary>
        Passed,

        /// <summary>At least one block did not read back as written (or could not be read).</summary>
        Failed,

        /// <summary>The session wrote no blocks there (a re-opened image, a fresh device, a workload overwrote them): nothing was verified.</summary>
        NothingChecked,
    }

    /// <summary>Test-VbdIntegrity -Detailed's answer for one device: the outcome and what it rests on.</summary>
    public sealed class VbdIntegrityResult
    {
        internal VbdIntegrityResult(string deviceName, long blocksChecked, long badBlocks)
        {
            DeviceName = deviceName;
            BlocksChecked = blocksChecked;
            BadBlocks = badBlocks;
            Outcome = blocksChecked == 0 ? VbdIntegrityOutcome.NothingChecked : badBlocks == 0 ? VbdIntegrityOutcome.Passed : VbdIntegrityOutcome.Failed;
        }

        public string DeviceName { get; }

        public VbdIntegrityOutcome Outcome { get; }

        /// <summary>Logical blocks read back and compared.</summary>
        public long BlocksChecked { get; }

        /// <summary>Blocks that did not hold what the session wrote, or could not be read.</summary>
        public long BadBlocks { get; }

        /// <summary>True only for <see cref="VbdIntegrityOutcome.Passed"/>: nothing checked is not a pass.</summary>
        public bool Passed => Outcome == VbdIntegrityOutcome.Passed;
    }
}

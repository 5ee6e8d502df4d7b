namespace XenVbd.Bench
{
    /// <summary>What one scenario measured, in wall-clock time on this machine.</summary>
    internal sealed class StackResult
    {
        public string Name { get; set; } = "";
        public long Srbs { get; set; }
        public double Seconds { get; set; }

        /// <summary>CPU time the measuring thread used (see <see cref="ThreadCpu"/>); 0 where not measured.</summary>
        public double CpuSeconds { get; set; }
        public long Bytes { get; set; }
        public long AllocatedBytes { get; set; }
        public long BouncePasses { get; set; }
        public int QueueDepth { get; set; }
        public int RingPageOrder { get; set; }
        public long DiskBytes { get; set; }
        public double Iops => Srbs / Seconds;
        public double GBps => Bytes / Seconds / 1e9;
        public double NsPerSrb => Seconds * 1e9 / Srbs;
        public double CpuNsPerSrb => CpuSeconds * 1e9 / Srbs;
        public double AllocatedPerSrb => (double)AllocatedBytes / Srbs;
    }
}

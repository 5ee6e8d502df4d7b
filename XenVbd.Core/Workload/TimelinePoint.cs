namespace XenVbd.Workload
{
    /// <summary>One slice of a <see cref="ThroughputTimeline"/>.</summary>
    public readonly struct TimelinePoint
    {
        public TimelinePoint(double startMs, double iops, double megabytesPerSecond, double meanRingOccupancy, int maxRingOccupancy)
        {
            StartMs = startMs;
            Iops = iops;
            MegabytesPerSecond = megabytesPerSecond;
            MeanRingOccupancy = meanRingOccupancy;
            MaxRingOccupancy = maxRingOccupancy;
        }

        public double StartMs { get; }
        public double Iops { get; }
        public double MegabytesPerSecond { get; }
        public double MeanRingOccupancy { get; }
        public int MaxRingOccupancy { get; }
    }
}

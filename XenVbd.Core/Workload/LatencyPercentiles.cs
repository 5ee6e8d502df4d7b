namespace XenVbd.Workload
{
    /// <summary>fio's "clat percentiles", in microseconds of virtual time.</summary>
    public sealed class LatencyPercentiles
    {
        public LatencyPercentiles(LatencyHistogram h)
        {
            Count = h.Count;
            MinUs = h.Count == 0 ? 0 : h.MinTicks / 10.0;
            MeanUs = h.MeanTicks / 10.0;
            P50Us = h.Percentile(50) / 10.0;
            P90Us = h.Percentile(90) / 10.0;
            P99Us = h.Percentile(99) / 10.0;
            P999Us = h.Percentile(99.9) / 10.0;
            P9999Us = h.Percentile(99.99) / 10.0;
            MaxUs = h.MaxTicks / 10.0;
        }

        public long Count { get; }
        public double MinUs { get; }
        public double MeanUs { get; }
        public double P50Us { get; }
        public double P90Us { get; }
        public double P99Us { get; }
        public double P999Us { get; }
        public double P9999Us { get; }
        public double MaxUs { get; }
    }
}

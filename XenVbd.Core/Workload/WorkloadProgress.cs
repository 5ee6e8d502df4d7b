namespace XenVbd.Workload
{
    /// <summary>A progress report, every N completions: enough for Write-Progress.</summary>
    public readonly struct WorkloadProgress
    {
        public WorkloadProgress(string name, long completed, long total, double virtualSeconds, double targetSeconds, long errors, long violations)
        {
            Name = name;
            Completed = completed;
            Total = total;
            VirtualSeconds = virtualSeconds;
            TargetSeconds = targetSeconds;
            Errors = errors;
            Violations = violations;
        }

        public string Name { get; }

        public long Completed { get; }

        /// <summary>Operations planned, or 0 for a timed run.</summary>
        public long Total { get; }

        public double VirtualSeconds { get; }

        /// <summary>Virtual-time limit of the run (0 when only the count limits it).</summary>
        public double TargetSeconds { get; }

        public long Errors { get; }

        public long Violations { get; }

        /// <summary>How far the run is towards whichever of its limits (count, virtual time) it reaches first.</summary>
        public int PercentComplete
        {
            get
            {
                double byCount = Total > 0 ? Completed * 100.0 / Total : 0;
                double byTime = TargetSeconds > 0 ? VirtualSeconds * 100 / TargetSeconds : 0;
                return (int)System.Math.Min(100, System.Math.Max(byCount, byTime));
            }
        }
    }
}

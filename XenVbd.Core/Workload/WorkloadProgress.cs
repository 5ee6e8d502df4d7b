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

        /// <summary>Virtual duration of a timed run (0 for a counted run).</summary>
        public double TargetSeconds { get; }

        public long Errors { get; }

        public long Violations { get; }

        public int PercentComplete => Total > 0
            ? (int)System.Math.Min(100, Completed * 100 / Total)
            : TargetSeconds > 0 ? (int)System.Math.Min(100, VirtualSeconds * 100 / TargetSeconds) : 0;
    }
}

namespace XenVbd.Backend
{
    /// <summary>
    /// One effect the field published, beside what <see cref="ServiceTimeSimulation"/> makes of it: the published figures,
    /// the band its ratio must fall in, the two runs, and which model parameters produce the effect.
    /// </summary>
    public sealed record PublishedEffect
    {
        /// <summary>Short name (MultiPageRing, PersistentGrants, MultiQueue, MultiQueuePersistent).</summary>
        public string Name { get; init; } = "";

        /// <summary>Who published it, when, and what was measured.</summary>
        public string Source { get; init; } = "";

        /// <summary>The published figures, as published (IOPS or the stated factor).</summary>
        public string PublishedFigures { get; init; } = "";

        /// <summary>The published ratio (improved / baseline).</summary>
        public double PublishedRatio { get; init; }

        /// <summary>The lowest ratio that still reproduces the effect.</summary>
        public double BandLow { get; init; }

        /// <summary>The highest ratio that still reproduces the effect.</summary>
        public double BandHigh { get; init; }

        /// <summary>The model's run of the baseline set-up.</summary>
        public ServiceTimeResult Baseline { get; init; } = new ServiceTimeResult();

        /// <summary>The model's run of the improved set-up.</summary>
        public ServiceTimeResult Improved { get; init; } = new ServiceTimeResult();

        /// <summary>The model's ratio: improved IOPS over baseline IOPS.</summary>
        public double ModelRatio => Improved.Iops / Baseline.Iops;

        /// <summary>True if <see cref="ModelRatio"/> falls in [<see cref="BandLow"/>, <see cref="BandHigh"/>].</summary>
        public bool Reproduced => ModelRatio >= BandLow && ModelRatio <= BandHigh;

        /// <summary>Which parameters of the model produce the effect.</summary>
        public string Mechanism { get; init; } = "";

        /// <summary>Where the model departs from the published set-up.</summary>
        public string Departures { get; init; } = "";
    }
}

using System;
using System.Collections.Generic;
using XenVbd.Workload;

namespace XenVbd.Campaign
{
    /// <summary>
    /// A campaign's workload as data: the parts of a <see cref="WorkloadSpec"/> a sweep varies and a shrinker
    /// makes smaller (operation count, transfer sizes, queue depth). Sizes are equally weighted, since a
    /// shrunk reproduction must be readable; the seed comes from the case.
    /// </summary>
    public sealed class CampaignWorkload
    {
        public IoPattern Pattern { get; set; } = IoPattern.Random;

        public double ReadFraction { get; set; } = 0.5;

        /// <summary>Transfer sizes in bytes, chosen with equal weight.</summary>
        public int[] BlockSizes { get; set; } = { 4096 };

        public double MisalignedFraction { get; set; }

        public int QueueDepth { get; set; } = 8;

        public long Count { get; set; } = 200;

        /// <summary>Region the workload touches, from sector 0; a small region makes reads meet earlier writes.</summary>
        public long LengthBytes { get; set; } = 4L << 20;

        public int FlushEvery { get; set; }

        public CampaignWorkload Clone()
        {
            var copy = (CampaignWorkload)MemberwiseClone();
            copy.BlockSizes = (int[])BlockSizes.Clone();
            return copy;
        }

        public int MaxBlockBytes
        {
            get
            {
                int max = 0;
                foreach (var s in BlockSizes) max = Math.Max(max, s);
                return max;
            }
        }

        public WorkloadSpec ToSpec(string name, ulong seed)
        {
            if (BlockSizes == null || BlockSizes.Length == 0) throw new ArgumentException("A campaign workload needs at least one block size.", nameof(BlockSizes));
            if (Count <= 0) throw new ArgumentOutOfRangeException(nameof(Count), Count, "A campaign workload counts its operations: give a positive Count.");
            var weights = new List<KeyValuePair<int, double>>();
            foreach (var s in BlockSizes) weights.Add(new KeyValuePair<int, double>(s, 1));
            var spec = new WorkloadSpec
            {
                Name = name,
                Pattern = Pattern,
                ReadFraction = ReadFraction,
                BlockSizes = new BlockSizeDistribution(weights),
                MisalignedFraction = MisalignedFraction,
                QueueDepth = QueueDepth,
                Count = Count,
                LengthBytes = LengthBytes,
                Seed = seed,
                Verify = true,
                AssumeZeroedDisk = true,
                FlushEvery = FlushEvery,
            };
            spec.Validate();
            return spec;
        }

        public override string ToString()
            => Pattern + " " + Count + " ops QD " + QueueDepth + " sizes " + string.Join("/", BlockSizes);
    }
}

using System;
using System.Collections.Generic;

namespace XenVbd.Workload
{
    /// <summary>
    /// Completions, bytes and ring occupancy per slice of virtual time, for the report's "throughput over
    /// time" and "ring occupancy over time" plots. A fixed number of slices: when time runs past the last,
    /// neighbours merge and the slice width doubles, so memory stays bounded and nothing allocates per op.
    /// </summary>
    public sealed class ThroughputTimeline
    {
        public const int Slices = 256;

        private readonly long[] _ops = new long[Slices];
        private readonly long[] _bytes = new long[Slices];
        private readonly long[] _occupancySum = new long[Slices];
        private readonly long[] _samples = new long[Slices];
        private readonly int[] _occupancyMax = new int[Slices];

        public ThroughputTimeline(long startTicks, long initialSliceTicks = 1000)
        {
            if (initialSliceTicks <= 0) throw new ArgumentOutOfRangeException(nameof(initialSliceTicks), initialSliceTicks, "Must be positive.");
            StartTicks = startTicks;
            SliceTicks = initialSliceTicks;
        }

        public long StartTicks { get; }

        public long SliceTicks { get; private set; }

        /// <summary>Slices that hold data (1 + index of the last touched one).</summary>
        public int Used { get; private set; }

        public void Record(long nowTicks, long bytes, int ringOccupancy)
        {
            long offset = Math.Max(0, nowTicks - StartTicks);
            while (offset / SliceTicks >= Slices) Coarsen();
            int i = (int)(offset / SliceTicks);
            _ops[i]++;
            _bytes[i] += bytes;
            _occupancySum[i] += ringOccupancy;
            _samples[i]++;
            if (ringOccupancy > _occupancyMax[i]) _occupancyMax[i] = ringOccupancy;
            if (i + 1 > Used) Used = i + 1;
        }

        /// <summary>One row per used slice: start (ms), IOPS, MB/s, mean and max ring occupancy.</summary>
        public IReadOnlyList<TimelinePoint> Points()
        {
            var list = new List<TimelinePoint>(Used);
            double seconds = SliceTicks / (double)TimeSpan.TicksPerSecond;
            for (int i = 0; i < Used; i++)
            {
                list.Add(new TimelinePoint(
                    i * SliceTicks / 10000.0,
                    _ops[i] / seconds,
                    _bytes[i] / seconds / 1e6,
                    _samples[i] == 0 ? 0 : _occupancySum[i] / (double)_samples[i],
                    _occupancyMax[i]));
            }
            return list;
        }

        private void Coarsen()
        {
            for (int i = 0; i < Slices / 2; i++)
            {
                _ops[i] = _ops[2 * i] + _ops[2 * i + 1];
                _bytes[i] = _bytes[2 * i] + _bytes[2 * i + 1];
                _occupancySum[i] = _occupancySum[2 * i] + _occupancySum[2 * i + 1];
                _samples[i] = _samples[2 * i] + _samples[2 * i + 1];
                _occupancyMax[i] = Math.Max(_occupancyMax[2 * i], _occupancyMax[2 * i + 1]);
            }
            Array.Clear(_ops, Slices / 2, Slices / 2);
            Array.Clear(_bytes, Slices / 2, Slices / 2);
            Array.Clear(_occupancySum, Slices / 2, Slices / 2);
            Array.Clear(_samples, Slices / 2, Slices / 2);
            Array.Clear(_occupancyMax, Slices / 2, Slices / 2);
            Used = (Used + 1) / 2;
            SliceTicks *= 2;
        }
    }
}

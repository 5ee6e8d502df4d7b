using System.Collections.Generic;
using System.Threading;

namespace XenVbd.Faults
{
    /// <summary>Faults injected so far, by kind; an array indexed by kind so counting on the I/O path allocates nothing.</summary>
    public sealed class FaultCounters
    {
        private readonly long[] _counts = new long[FaultKinds.Count];

        public void Increment(FaultKind kind) => Interlocked.Increment(ref _counts[(int)kind]);

        public long this[FaultKind kind] => Interlocked.Read(ref _counts[(int)kind]);

        public long Total
        {
            get
            {
                long t = 0;
                for (int i = 0; i < _counts.Length; i++) t += Interlocked.Read(ref _counts[i]);
                return t;
            }
        }

        public void Reset()
        {
            for (int i = 0; i < _counts.Length; i++) Interlocked.Exchange(ref _counts[i], 0);
        }

        /// <summary>Non-zero counts keyed by kind name, in kind order, so reports list them the same way every run.</summary>
        public SortedDictionary<string, long> ToDictionary()
        {
            var d = new SortedDictionary<string, long>(System.StringComparer.Ordinal);
            for (int i = 0; i < _counts.Length; i++)
            {
                long v = Interlocked.Read(ref _counts[i]);
                if (v != 0) d[((FaultKind)i).ToString()] = v;
            }
            return d;
        }
    }
}

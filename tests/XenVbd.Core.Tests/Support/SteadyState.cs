using System;
using System.Threading;

namespace XenVbd.Tests.Support
{
    /// <summary>
    /// Measures what a loop allocates on this thread once the runtime has settled. The first passes
    /// can include the runtime's own one-time work on the calling thread (tiered-JIT call counting
    /// reaching its threshold, type loads) — which on a loaded machine lands at unpredictable times. A
    /// path that really allocates does so on every attempt, so it still fails.
    /// </summary>
    internal static class SteadyState
    {
        public static long AllocatedBytes(Action body, int attempts = 5)
        {
            long allocated = 0;
            for (int attempt = 0; attempt < attempts; attempt++)
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                body();
                allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                if (allocated == 0) return 0;
                Thread.Sleep(200); // let background tier-up finish before looking again
            }
            return allocated;
        }
    }
}

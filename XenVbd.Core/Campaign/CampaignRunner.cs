using System;
using System.Collections.Generic;
using System.Threading;
using XenVbd.Device;

namespace XenVbd.Campaign
{
    /// <summary>
    /// Runs a matrix's cases (or one shard of them) on worker threads, one isolated engine per case. Workers take
    /// the next case index from a shared counter, so a slow case never holds up the others; the result list comes
    /// back ordered by case index, which with each case's independence makes it the same for any thread count.
    /// </summary>
    public static class CampaignRunner
    {
        public static IReadOnlyList<CampaignResult> Run(CampaignMatrix matrix, CampaignRunOptions? options = null)
        {
            if (matrix == null) throw new ArgumentNullException(nameof(matrix));
            options ??= new CampaignRunOptions();
            long total = matrix.Count;
            long[]? chosen = null;
            if (options.Cases != null)
            {
                var set = new SortedSet<long>();
                foreach (var c in options.Cases)
                {
                    if (c < 0 || c >= total) throw new ArgumentOutOfRangeException(nameof(options), c, "Case #" + c + " is not in the matrix: it has cases 0.." + (total - 1) + ".");
                    if (options.Shard.Contains(c)) set.Add(c);
                }
                chosen = new long[set.Count];
                set.CopyTo(chosen);
            }
            long mine = chosen?.LongLength ?? options.Shard.CasesOf(total);
            var slots = new CampaignResult?[mine];
            long next = -1;
            Exception? crash = null;
            var token = options.CancellationToken;

            void Work()
            {
                // One pool per worker: devices never cross threads. Cases of a configuration reuse its device.
                using var devices = options.ReuseDevices ? new VbdDevicePool() : null;
                try
                {
                    while (!token.IsCancellationRequested && Volatile.Read(ref crash) == null)
                    {
                        long i = Interlocked.Increment(ref next);
                        if (i >= mine) return;
                        var c = matrix.CaseAt(chosen != null ? chosen[i] : options.Shard.CaseIndex(i));
                        var r = CampaignCaseRunner.Run(c, matrix.AxisSet, devices);
                        slots[i] = r;
                        options.OnResult?.Invoke(r);
                    }
                }
                catch (Exception ex)
                {
                    Interlocked.CompareExchange(ref crash, ex, null);
                }
            }

            int workers = (int)Math.Max(1, Math.Min(options.Workers, mine));
            var threads = new Thread[workers];
            for (int t = 0; t < workers; t++)
            {
                // Deep recursion is not expected, but a device's recovery paths nest; give workers the default main-thread stack.
                threads[t] = new Thread(Work, 8 << 20) { IsBackground = true, Name = "campaign-" + t };
                threads[t].Start();
            }
            foreach (var t in threads) t.Join();
            if (crash != null) throw new InvalidOperationException("The campaign stopped: " + crash.Message, crash);

            var results = new List<CampaignResult>();
            foreach (var r in slots) if (r != null) results.Add(r);
            return results;
        }
    }
}

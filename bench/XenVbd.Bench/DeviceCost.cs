using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Text;
using System.Text.Json;
using XenVbd.Campaign;
using XenVbd.Device;
using XenVbd.Faults;

namespace XenVbd.Bench
{
    /// <summary>
    /// `devices [--quick] [--out file.json]`: what a device costs and how many campaign cases a second this machine
    /// runs. Memory per device (managed bytes allocated by creation, managed bytes still held while the device
    /// idles, resident bytes) is deterministic enough to report anywhere; times (creation, cases per second on
    /// one core and on all cores) need a quiet machine. Each row is printed beside the figure recorded before
    /// the cheap-device work (an idle default device held 12 MB managed, 4.6 MB resident; connecting one took
    /// 1.4 ms in the engine; the 1,000,000-case frontend soak took 853.6 s on two cores).
    /// </summary>
    internal static class DeviceCost
    {
        private const double RecordedManagedBytes = 12e6;
        private const double RecordedResidentBytes = 4.6e6;
        private const double RecordedCreateMs = 1.4;
        private const double RecordedSoakCasesPerSecond = 1_000_000 / 853.6;

        public static int Run(string[] args)
        {
            bool quick = Array.IndexOf(args, "--quick") >= 0;
            int outAt = Array.IndexOf(args, "--out");
            string? outPath = outAt >= 0 && outAt + 1 < args.Length ? args[outAt + 1] : null;
            int devices = quick ? 50 : 1000;

            var rows = new List<Row>();
            // The same device with guest memory as a pinned array, as every device was before: today's figures, this run.
            XenVbd.Xen.AnonymousMemory.Enabled = false;
            try
            {
                rows.Add(Measure("idle default device, guest memory a pinned array (before)", () => new VbdDeviceOptions(), Math.Min(devices, 200)));
            }
            finally
            {
                XenVbd.Xen.AnonymousMemory.Enabled = true;
            }
            var interactive = Measure("idle default device (New-VbdDevice defaults)", () => new VbdDeviceOptions(), devices);
            rows.Add(interactive);
            var campaignCase = new CampaignMatrix().CaseAt(0);
            rows.Add(Measure("idle campaign device (guest memory sized to its queue)", () => CampaignCaseRunner.OptionsFor(campaignCase, CampaignAxisSet.Default), devices));

            var matrix = FrontendCases(quick ? 200 : 4000);
            var one = Throughput(matrix, 1);
            var all = Throughput(matrix, Environment.ProcessorCount);

            var sb = new StringBuilder();
            sb.AppendLine("| device | managed B allocated | managed B held idle | resident B | create us (CPU; recorded row: wall) |");
            sb.AppendLine("|---|---:|---:|---:|---:|");
            sb.AppendLine(string.Format(CultureInfo.InvariantCulture, "| recorded before the cheap-device work (default device) | | {0:N0} | {1:N0} | {2:N0} |", RecordedManagedBytes, RecordedResidentBytes, RecordedCreateMs * 1000));
            foreach (var r in rows)
                sb.AppendLine(string.Format(CultureInfo.InvariantCulture, "| {0} ({1} alive at once) | {2:N0} | {3:N0} | {4:N0} | {5:N0} |", r.Name, r.Devices, r.AllocatedBytes, r.HeldBytes, r.ResidentBytes, r.CreateMicros));
            sb.AppendLine();
            sb.AppendLine("| campaign cases (connect + 20 verified 4 KiB ops + faults) | cases | workers | cases/s (wall) | vs soak's recorded cases/s |");
            sb.AppendLine("|---|---:|---:|---:|---:|");
            foreach (var t in new[] { one, all })
                sb.AppendLine(string.Format(CultureInfo.InvariantCulture, "| {0} | {1:N0} | {2} | {3:N0} | {4:0.00} x |", t.Name, t.Cases, t.Workers, t.CasesPerSecond, t.CasesPerSecond / RecordedSoakCasesPerSecond));
            Console.Write(sb.ToString());

            if (outPath != null)
            {
                using var stream = File.Create(outPath);
                using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
                w.WriteStartObject();
                w.WriteStartArray("devices");
                foreach (var r in rows)
                {
                    w.WriteStartObject();
                    w.WriteString("name", r.Name);
                    w.WriteNumber("alive", r.Devices);
                    w.WriteNumber("managedBytesAllocated", r.AllocatedBytes);
                    w.WriteNumber("managedBytesHeld", r.HeldBytes);
                    w.WriteNumber("residentBytes", r.ResidentBytes);
                    w.WriteNumber("createMicrosCpu", r.CreateMicros);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteStartArray("campaign");
                foreach (var t in new[] { one, all })
                {
                    w.WriteStartObject();
                    w.WriteString("name", t.Name);
                    w.WriteNumber("cases", t.Cases);
                    w.WriteNumber("workers", t.Workers);
                    w.WriteNumber("casesPerSecond", t.CasesPerSecond);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteNumber("recordedSoakCasesPerSecond", RecordedSoakCasesPerSecond);
                w.WriteEndObject();
            }
            return 0;
        }

        /// <summary>A campaign of small device-level frontend cases: the default device under four fault plans, many seeds.</summary>
        internal static CampaignMatrix FrontendCases(int seeds)
        {
            var m = new CampaignMatrix { Name = "bench" };
            m.AddFaultPlan("none");
            m.AddFaultPlan("latency", new CampaignFaultRule { Kind = FaultKind.Latency, Rate = 0.2, Delay = TimeSpan.FromMicroseconds(100) });
            m.AddFaultPlan("errors", new CampaignFaultRule { Kind = FaultKind.Error, Rate = 0.05 });
            m.AddFaultPlan("drop", new CampaignFaultRule { Kind = FaultKind.Drop, MaxCount = 1 });
            m.AddWorkload("tiny", new CampaignWorkload { Count = 20, QueueDepth = 4, LengthBytes = 1 << 20 });
            var list = new ulong[seeds];
            for (int i = 0; i < seeds; i++) list[i] = (ulong)(i + 1);
            m.WithSeeds(list);
            return m;
        }

        private static Row Measure(string name, Func<VbdDeviceOptions> options, int n)
        {
            // Warm up the JIT and the type caches so the first device does not count their cost.
            for (int i = 0; i < 3; i++) VbdDevice.Create(options()).Dispose();
            var alive = new List<VbdDevice>(n);
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            long heldBefore = GC.GetTotalMemory(true);
            long residentBefore = Process.GetCurrentProcess().WorkingSet64;
            long allocBefore = GC.GetAllocatedBytesForCurrentThread();
            double cpuBefore = ThreadCpu.Seconds();
            for (int i = 0; i < n; i++)
            {
                var o = options();
                o.Name = "d" + i;
                o.Seed = (ulong)(i + 1);
                alive.Add(VbdDevice.Create(o));
            }
            double cpu = ThreadCpu.Seconds() - cpuBefore;
            long alloc = GC.GetAllocatedBytesForCurrentThread() - allocBefore;
            long held = GC.GetTotalMemory(true) - heldBefore;
            long resident = Process.GetCurrentProcess().WorkingSet64 - residentBefore;
            var row = new Row(name, n, alloc / (double)n, held / (double)n, resident / (double)n, cpu * 1e6 / n);
            foreach (var d in alive) d.Dispose();
            GC.KeepAlive(alive);
            return row;
        }

        private static ThroughputRow Throughput(CampaignMatrix m, int workers)
        {
            CampaignRunner.Run(m, new CampaignRunOptions { MaxDegreeOfParallelism = workers, Cases = new long[] { 0, 1, 2, 3, 4, 5, 6, 7 } });
            var sw = Stopwatch.StartNew();
            var results = CampaignRunner.Run(m, new CampaignRunOptions { MaxDegreeOfParallelism = workers });
            sw.Stop();
            return new ThroughputRow(workers == 1 ? "1 core" : "all cores", results.Count, workers, results.Count / sw.Elapsed.TotalSeconds);
        }

        private sealed record Row(string Name, int Devices, double AllocatedBytes, double HeldBytes, double ResidentBytes, double CreateMicros);

        private sealed record ThroughputRow(string Name, long Cases, int Workers, double CasesPerSecond);
    }
}

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

            var restore = RestoreCost(CampaignCaseRunner.OptionsFor(campaignCase, CampaignAxisSet.Default), quick ? 200 : 2000);

            var matrix = FrontendCases(quick ? 200 : 4000);
            // The old path (a device built and connected per case) and the new (pooled devices restored from
            // snapshots), alternately in this run, on one worker and on every core.
            var throughput = new List<ThroughputRow>();
            foreach (int workers in new[] { 1, Environment.ProcessorCount })
            {
                throughput.Add(Throughput(matrix, workers, reuse: false));
                throughput.Add(Throughput(matrix, workers, reuse: true));
            }

            var sb = new StringBuilder();
            sb.AppendLine("| device | managed B allocated | managed B held idle | resident B | create us (CPU; recorded row: wall) |");
            sb.AppendLine("|---|---:|---:|---:|---:|");
            sb.AppendLine(string.Format(CultureInfo.InvariantCulture, "| recorded before the cheap-device work (default device) | | {0:N0} | {1:N0} | {2:N0} |", RecordedManagedBytes, RecordedResidentBytes, RecordedCreateMs * 1000));
            foreach (var r in rows)
                sb.AppendLine(string.Format(CultureInfo.InvariantCulture, "| {0} ({1} alive at once) | {2:N0} | {3:N0} | {4:N0} | {5:N0} |", r.Name, r.Devices, r.AllocatedBytes, r.HeldBytes, r.ResidentBytes, r.CreateMicros));
            sb.AppendLine();
            sb.AppendLine("| a connected campaign device | CPU us each | ratio |");
            sb.AppendLine("|---|---:|---:|");
            sb.AppendLine(string.Format(CultureInfo.InvariantCulture, "| built and connected (VbdDevice.Create, then closed) | {0:N1} | 1 |", restore.CreateMicros));
            sb.AppendLine(string.Format(CultureInfo.InvariantCulture, "| restored from its snapshot (VbdDeviceSnapshot.Restore, after a case dirtied it) | {0:N1} | {1:0.000} |", restore.RestoreMicros, restore.RestoreMicros / restore.CreateMicros));
            sb.AppendLine(string.Format(CultureInfo.InvariantCulture, "| snapshot: {0:N0} objects, ~{1:N0} B of copies | | |", restore.Objects, restore.SnapshotBytes));
            sb.AppendLine();
            sb.AppendLine("| campaign cases (connect + 20 verified 4 KiB ops + faults) | cases | workers | cases/s (wall) | CPU us per case | restored ÷ fresh (cases/s) | vs soak's recorded cases/s |");
            sb.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
            for (int i = 0; i < throughput.Count; i++)
            {
                var t = throughput[i];
                string ratio = t.Reuse ? string.Format(CultureInfo.InvariantCulture, "{0:0.00} x", t.CasesPerSecond / throughput[i - 1].CasesPerSecond) : "";
                sb.AppendLine(string.Format(CultureInfo.InvariantCulture, "| {0} | {1:N0} | {2} | {3:N0} | {4:N0} | {5} | {6:0.00} x |", t.Name, t.Cases, t.Workers, t.CasesPerSecond, t.CpuMicrosPerCase, ratio, t.CasesPerSecond / RecordedSoakCasesPerSecond));
            }
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
                foreach (var t in throughput)
                {
                    w.WriteStartObject();
                    w.WriteString("name", t.Name);
                    w.WriteBoolean("restoredDevices", t.Reuse);
                    w.WriteNumber("cases", t.Cases);
                    w.WriteNumber("workers", t.Workers);
                    w.WriteNumber("casesPerSecond", t.CasesPerSecond);
                    w.WriteNumber("cpuMicrosPerCase", t.CpuMicrosPerCase);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteStartObject("restore");
                w.WriteNumber("createMicrosCpu", restore.CreateMicros);
                w.WriteNumber("restoreMicrosCpu", restore.RestoreMicros);
                w.WriteNumber("snapshotObjects", restore.Objects);
                w.WriteNumber("snapshotBytes", restore.SnapshotBytes);
                w.WriteEndObject();
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

        private static ThroughputRow Throughput(CampaignMatrix m, int workers, bool reuse)
        {
            CampaignRunner.Run(m, new CampaignRunOptions { MaxDegreeOfParallelism = workers, Cases = new long[] { 0, 1, 2, 3, 4, 5, 6, 7 }, ReuseDevices = reuse });
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var sw = Stopwatch.StartNew();
            var results = CampaignRunner.Run(m, new CampaignRunOptions { MaxDegreeOfParallelism = workers, ReuseDevices = reuse });
            sw.Stop();
            double cpuMicros = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds * 1000 / results.Count;
            string name = (workers == 1 ? "1 core" : "all cores") + (reuse ? ", devices restored from snapshots" : ", a device built per case (before)");
            return new ThroughputRow(name, reuse, results.Count, workers, results.Count / sw.Elapsed.TotalSeconds, cpuMicros);
        }

        /// <summary>CPU time to build and connect a device (and close it) against restoring one that a small case has dirtied.</summary>
        private static RestoreRow RestoreCost(VbdDeviceOptions options, int n)
        {
            for (int i = 0; i < 3; i++) VbdDevice.Create(options).Dispose();
            double before = ThreadCpu.Seconds();
            for (int i = 0; i < n; i++) VbdDevice.Create(options).Dispose();
            double create = (ThreadCpu.Seconds() - before) * 1e6 / n;

            using var device = VbdDevice.Create(options);
            var snapshot = VbdDeviceSnapshot.Capture(device);
            var data = new byte[4096];
            double spent = 0;
            for (int i = 0; i < n + 3; i++)
            {
                // A small case between restores, so each restore has pages, chunks and state to put back.
                device.Execute(new byte[] { 0x2A, 0, 0, 0, (byte)(i & 0x7F), 0, 0, 0, 8, 0 }, data, bufferAlignment: i % 7);
                device.Execute(new byte[] { 0x28, 0, 0, 0, (byte)(i & 0x7F), 0, 0, 0, 8, 0 }, dataInLength: 4096);
                double t = ThreadCpu.Seconds();
                snapshot.Restore(unchecked((ulong)i + 1));
                if (i >= 3) spent += ThreadCpu.Seconds() - t;
            }
            return new RestoreRow(create, spent * 1e6 / n, snapshot.ObjectCount, snapshot.ApproximateBytes);
        }

        private sealed record Row(string Name, int Devices, double AllocatedBytes, double HeldBytes, double ResidentBytes, double CreateMicros);

        private sealed record ThroughputRow(string Name, bool Reuse, long Cases, int Workers, double CasesPerSecond, double CpuMicrosPerCase);

        private sealed record RestoreRow(double CreateMicros, double RestoreMicros, int Objects, long SnapshotBytes);
    }
}

using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using CsCheck;
using XenVbd.Backend;

namespace XenVbd.Interop.QemuDiff
{
    /// <summary>
    ///   QemuDiff --work=DIR --qemu=PATH --standin=LIB --personality=Qemu72|Qemu10 [--streams=N] [--steps=N] [--seed=S] [--stream=I]
    /// Generates N request streams (CsCheck generators on a PCG seeded with S: stream I uses PCG stream I), runs
    /// each against the real QEMU and against the model's BlkBack with the given personality, and compares them
    /// (<see cref="StreamComparison"/>). One PASS/FAIL line per check; a failing stream is printed in full with the
    /// command that replays it. No seed given: one is drawn and printed.
    /// </summary>
    public static class Program
    {
        public static int Main(string[] args)
        {
            string work = "", qemu = "", standin = "";
            var personality = BackendPersonality.Qemu72;
            int streams = 8, steps = 24, only = -1;
            ulong seed = 0;
            bool haveSeed = false;
            foreach (var a in args)
            {
                string v = a.Contains('=') ? a[(a.IndexOf('=') + 1)..] : "";
                if (a.StartsWith("--work=", StringComparison.Ordinal)) work = v;
                else if (a.StartsWith("--qemu=", StringComparison.Ordinal)) qemu = v;
                else if (a.StartsWith("--standin=", StringComparison.Ordinal)) standin = v;
                else if (a.StartsWith("--personality=", StringComparison.Ordinal)) personality = Enum.Parse<BackendPersonality>(v);
                else if (a.StartsWith("--streams=", StringComparison.Ordinal)) streams = int.Parse(v, CultureInfo.InvariantCulture);
                else if (a.StartsWith("--steps=", StringComparison.Ordinal)) steps = int.Parse(v, CultureInfo.InvariantCulture);
                else if (a.StartsWith("--stream=", StringComparison.Ordinal)) only = int.Parse(v, CultureInfo.InvariantCulture);
                else if (a.StartsWith("--seed=", StringComparison.Ordinal) && v.Length > 0)
                {
                    seed = ulong.Parse(v, CultureInfo.InvariantCulture);
                    haveSeed = true;
                }
                else
                {
                    Console.Error.WriteLine("QemuDiff: unknown argument '" + a + "'");
                    return 2;
                }
            }
            if (work.Length == 0 || qemu.Length == 0 || standin.Length == 0)
            {
                Console.Error.WriteLine("usage: QemuDiff --work=DIR --qemu=PATH --standin=LIB --personality=Qemu72|Qemu10 [--streams=N] [--steps=N] [--seed=S] [--stream=I]");
                return 2;
            }
            if (!haveSeed) seed = (ulong)Random.Shared.NextInt64(1, long.MaxValue);
            Directory.CreateDirectory(work);
            Console.WriteLine(string.Format(CultureInfo.InvariantCulture,
                "qemu-diff: seed {0}, {1} streams of {2} steps, QEMU against the model's {3} (replay: XENVBD_QEMU_DIFF_SEED={0} bash tests/interop/qemu/run.sh; one stream: add XENVBD_QEMU_DIFF_STREAM=I)",
                seed, streams, steps, personality));

            long bytes = 0;
            int failedStreams = 0, reordered = 0, ran = 0;
            var clock = Stopwatch.StartNew();
            // After the generated streams, the fixed scenarios, once per ABI: bad ring-refs at connect, req_prod racing.
            var scenarios = new[] { DiffScenario.RingRefUngranted, DiffScenario.RingRefOutOfTable, DiffScenario.RingRefReadOnly, DiffScenario.RequestProducerRace };
            int total = streams + 2 * scenarios.Length;
            for (int i = 0; i < total; i++)
            {
                if (only >= 0 && i != only) continue;
                var stream = i < streams
                    ? StreamGen.Stream(i, steps).Generate(new PCG((uint)i, seed), null, out _)
                    : new DiffStream
                    {
                        Index = i,
                        Abi = (i - streams) % 2 == 0 ? XenVbd.Ring.BlkifAbi.X86_64 : XenVbd.Ring.BlkifAbi.X86_32,
                        RingPageOrder = (i - streams) / 2 % 2,
                        Scenario = scenarios[(i - streams) / 2],
                        ContentSeed = seed + (ulong)i,
                    };
                var qemuRun = new RawFrontend(stream, new QemuBackend(qemu, standin)).Run(Path.Combine(work, "qemu.shm"), Path.Combine(work, "qemu.img"));
                var modelRun = new RawFrontend(stream, new ModelBackend(personality)).Run(Path.Combine(work, "model.shm"), Path.Combine(work, "model.img"));
                if (Environment.GetEnvironmentVariable("XENVBD_QEMU_DIFF_VERBOSE") == "1") PrintSteps(stream, qemuRun, modelRun);
                var cmp = new StreamComparison(stream, qemuRun, modelRun, modeIsToolstacks: personality == BackendPersonality.Qemu72);
                cmp.Run();
                ran++;
                bytes += cmp.BytesCompared;
                reordered += cmp.Reordered;
                // What QEMU itself does in the fixed scenarios, pinned whatever the model says.
                foreach (var (check, diff) in ScenarioChecks(stream, qemuRun)) cmp.Results.Add((check, diff));
                bool streamFailed = false;
                string label = string.Format(CultureInfo.InvariantCulture, "qemu-diff stream {0} ({1}, order {2}{3})", i, stream.Abi, stream.RingPageOrder,
                    stream.Scenario == DiffScenario.Steps ? "" : ", " + stream.Scenario);
                foreach (var (check, diff) in cmp.Results)
                {
                    if (diff == null) Console.WriteLine("PASS " + label + ": " + check + " equal");
                    else
                    {
                        Console.WriteLine("FAIL " + label + ": " + check + ": " + diff);
                        streamFailed = true;
                    }
                }
                if (streamFailed)
                {
                    failedStreams++;
                    Console.WriteLine("  replay: XENVBD_QEMU_DIFF_SEED=" + seed.ToString(CultureInfo.InvariantCulture) + " XENVBD_QEMU_DIFF_STREAM=" + i.ToString(CultureInfo.InvariantCulture) + " bash tests/interop/qemu/run.sh");
                    Console.WriteLine("  " + stream.Describe().Replace("\n", "\n  ", StringComparison.Ordinal));
                    if (qemuRun.Error != null || modelRun.Error != null) Console.WriteLine("  QEMU log: " + qemuRun.Log.Replace("\n", "\n    ", StringComparison.Ordinal));
                }
            }
            Console.WriteLine(string.Format(CultureInfo.InvariantCulture,
                "qemu-diff: {0} streams run, {1} differed, {2:N0} bytes compared, {3} steps completed in another order by QEMU, {4:F1} s",
                ran, failedStreams, bytes, reordered, clock.Elapsed.TotalSeconds));
            return failedStreams == 0 ? 0 : 1;
        }

        private static System.Collections.Generic.IEnumerable<(string, string?)> ScenarioChecks(DiffStream stream, RunRecord qemu)
        {
            switch (stream.Scenario)
            {
                case DiffScenario.RingRefUngranted:
                case DiffScenario.RingRefOutOfTable:
                case DiffScenario.RingRefReadOnly:
                    var state = (XenVbd.Xen.XenbusState)qemu.StateAfterConnect;
                    yield return ("QEMU stays in InitWait after a ring-ref it cannot map (xen_device_frontend_changed only logs)",
                        state == XenVbd.Xen.XenbusState.InitWait ? null : "QEMU went " + state);
                    yield return ("QEMU writes no error key for it",
                        qemu.KeysAfterConnect.TryGetValue("error", out var e) ? "error = " + e : null);
                    yield return ("QEMU logs it (\"frontend change error\")",
                        qemu.Log.Contains("frontend change error", StringComparison.Ordinal) ? null : "not in QEMU's log: " + qemu.Log.Replace('\n', ' '));
                    break;
                case DiffScenario.RequestProducerRace:
                    var race = qemu.Steps.Count > 0 ? qemu.Steps[0] : null;
                    string? why = race == null ? "no race step ran" : race.TimedOut ? "only " + race.RspProd + " of " + stream.RaceRequests + " answered (a lost wake-up)" : null;
                    if (why == null)
                    {
                        for (int k = 0; k < race!.Responses.Count && why == null; k++)
                        {
                            ulong id = BitConverter.ToUInt64(race.Responses[k], 0);
                            short status = BitConverter.ToInt16(race.Responses[k], 10);
                            if (id != 0x5000_0000UL + (ulong)k) why = "response " + k + " has id " + id.ToString("x", CultureInfo.InvariantCulture) + " (a request answered twice or never)";
                            else if (status != 0) why = "request " + k + " answered " + status;
                        }
                    }
                    yield return ("QEMU answers each of " + stream.RaceRequests + " WRITEs published while it consumes exactly once, OKAY", why);
                    break;
            }
        }

        /// <summary>XENVBD_QEMU_DIFF_VERBOSE=1: each step's requests and the status each side answered.</summary>
        private static void PrintSteps(DiffStream stream, RunRecord qemu, RunRecord model)
        {
            Console.WriteLine("  " + stream.Describe().Replace("\n", "\n  ", StringComparison.Ordinal));
            for (int i = 0; i < stream.Steps.Count && i < qemu.Steps.Count && i < model.Steps.Count; i++)
            {
                static string Statuses(StepRecord r)
                {
                    var sb = new System.Text.StringBuilder();
                    foreach (var slot in r.Responses)
                        sb.Append(CultureInfo.InvariantCulture, $" {BitConverter.ToUInt64(slot, 0):x}:{slot[8]}:{BitConverter.ToInt16(slot, 10)}");
                    return sb.ToString();
                }
                Console.WriteLine("    step " + i + " QEMU" + Statuses(qemu.Steps[i]) + " | model" + Statuses(model.Steps[i]));
            }
        }
    }
}

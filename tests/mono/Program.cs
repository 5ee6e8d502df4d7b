using System;
using System.Linq;
#if NETFRAMEWORK
using System.Reflection;
using System.Runtime.Versioning;
#endif
using XenVbd.Backend;
using XenVbd.Device;
using XenVbd.Faults;
using XenVbd.Frontend;
using XenVbd.Ring;
using XenVbd.Workload;

namespace XenVbd.MonoTests
{
    /// <summary>
    /// Runs the engine's netstandard2.0 build on a .NET Framework runtime (Mono here) and checks what the
    /// module's Windows PowerShell 5.1 edition relies on: devices of both ring layouts, the probe and its switch,
    /// aligned and bounced I/O byte for byte, a delayed response, a backend migration, a verified workload and
    /// Polly.Core's retries. One "PASS name" or "FAIL name: why" line per check, then "N passed, N failed";
    /// the exit code is the number of failures (capped at 100). The net10.0 build runs the same checks on
    /// .NET 10 (less the runtime check) so build.ps1 can compare the "digest" lines of the two runtimes.
    /// </summary>
    internal static class Program
    {
        private static int _passed;
        private static int _failed;

        private static int Main()
        {
#if NETFRAMEWORK
            Check("runs the netstandard2.0 engine on a .NET Framework runtime", RuntimeIsFramework);
#endif
            foreach (var fe in new[] { BlkifAbi.X86_32, BlkifAbi.X86_64 })
            {
                foreach (var be in new[] { BlkifAbi.X86_32, BlkifAbi.X86_64 })
                {
                    Check($"frontend {fe} to native backend {be}: probe, switch, aligned and misaligned I/O byte for byte", () => ProbeAndMoveData(fe, be));
                }
            }

            Check("a delayed response (latency fault) completes late with the data intact", DelayedResponse);
            Check("a backend migration to the other layout keeps the data and the device working", Migration);
            Check("a verified mixed workload through WorkloadRunner loses no byte", Workload);
            Check("injected errors are retried by Polly.Core's pipeline and no byte is corrupted", PollyRetries);

            Console.WriteLine($"{_passed} passed, {_failed} failed");
            return Math.Min(_failed, 100);
        }

        private static void Check(string name, Action body)
        {
            try
            {
                body();
                _passed++;
                Console.WriteLine("PASS " + name);
            }
            catch (Exception e)
            {
                _failed++;
                Console.WriteLine("FAIL " + name + ": " + e.GetType().Name + ": " + e.Message);
            }
        }

        private static void Expect(bool condition, string what)
        {
            if (!condition)
            {
                throw new InvalidOperationException(what);
            }
        }

#if NETFRAMEWORK
        private static void RuntimeIsFramework()
        {
            string? engine = typeof(VbdDevice).Assembly.GetCustomAttribute<TargetFrameworkAttribute>()?.FrameworkName;
            Expect(engine == ".NETStandard,Version=v2.0", $"the engine loaded is built for '{engine}', not netstandard2.0");
            bool mono = Type.GetType("Mono.Runtime") != null;
            bool framework = System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.Ordinal);
            Expect(mono || framework, "not running on Mono or the .NET Framework: " + System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription);
        }
#endif

        // The hardened design: it probes in every connect, so a migration re-probes (GPLPV 2008b, the default, does not).
        private static VbdDevice NewDevice(BlkifAbi fe, BlkifAbi be, ulong seed) => VbdDevice.Create(new VbdDeviceOptions
        {
            Personality = FrontendPersonality.Hardened,
            FrontendAbi = fe,
            BackendAbi = be,
            BackendMode = BackendAbiMode.Native,
            FrontendMode = FrontendAbiMode.Probe,
            SizeBytes = 8 << 20,
            Seed = seed,
        });

        private static void ProbeAndMoveData(BlkifAbi fe, BlkifAbi be)
        {
            using var dev = NewDevice(fe, be, 7);
            Expect(dev.State == FrontendState.Ready, "device state " + dev.State + ": " + dev.FailureReason);
            Expect(dev.FrontendAbi == be, $"frontend uses {dev.FrontendAbi}, the backend reads {be}");
            var probe = dev.ProbeResult ?? throw new InvalidOperationException("no probe result");
            Expect(probe.StartedWith == fe && probe.Detected == be, $"probe started {probe.StartedWith}, detected {probe.Detected}");
            Expect(probe.Switched == (fe != be), "probe switched = " + probe.Switched);
            Expect(dev.GetStatistics().AbiSwitches == (fe != be ? 1 : 0), "AbiSwitches = " + dev.GetStatistics().AbiSwitches);
            WriteReadBack(dev, 64, 96, alignment: 0, patternSeed: 1);
            WriteReadBack(dev, 300, 96, alignment: 7, patternSeed: 2);
            WriteReadBack(dev, 1000, 17, alignment: 333, patternSeed: 3);
        }

        /// <summary>WRITE(10) then READ(10) of the same blocks; the bytes must match in the read and on the disk itself.</summary>
        private static SrbResult WriteReadBack(VbdDevice dev, uint lba, ushort blocks, int alignment, int patternSeed)
        {
            byte[] data = Pattern(blocks * 512, patternSeed);
            var w = dev.Execute(Cdb.Write10(lba, blocks), data, bufferAlignment: alignment);
            Expect(w.IsSuccess, $"WRITE(10) at {lba}, alignment {alignment}: {w}");
            if (alignment % 512 != 0)
            {
                Expect(w.BouncePasses > 0, $"a buffer at offset {alignment} was not bounced");
            }

            var r = dev.Execute(Cdb.Read10(lba, blocks), dataInLength: data.Length, bufferAlignment: alignment);
            Expect(r.IsSuccess, $"READ(10) at {lba}, alignment {alignment}: {r}");
            Expect(r.Data.SequenceEqual(data), $"READ(10) at {lba}, alignment {alignment}: bytes differ from what was written");
            var onDisk = new byte[data.Length];
            dev.Storage.Read(lba * 512L, onDisk);
            Expect(onDisk.SequenceEqual(data), $"the disk at block {lba} does not hold what was written");
            return r;
        }

        private static void DelayedResponse()
        {
            using var dev = NewDevice(BlkifAbi.X86_64, BlkifAbi.X86_64, 11);
            var fast = WriteReadBack(dev, 10, 8, 0, 4);
            var session = DeviceFaultSession.Attach(dev);
            var delay = TimeSpan.FromMilliseconds(40);
            var rule = new FaultRule(FaultKind.Latency) { Latency = LatencyDistribution.Fixed(delay), Target = new FaultTarget(FaultOps.Read) };
            session.Plan.Add(rule);
            var slow = WriteReadBack(dev, 10, 8, 0, 4);
            Expect(rule.Injected > 0, "the latency rule was never applied");
            Expect(slow.Latency >= fast.Latency + delay, $"the delayed READ took {slow.Latency}, an undelayed one {fast.Latency}");
        }

        private static void Migration()
        {
            using var dev = NewDevice(BlkifAbi.X86_64, BlkifAbi.X86_64, 13);
            byte[] before = Pattern(32 * 512, 5);
            Expect(dev.Execute(Cdb.Write10(500, 32), before, bufferAlignment: 3).IsSuccess, "write before the migration failed");
            var m = dev.MigrateBackend(BlkifAbi.X86_32, BackendAbiMode.Native);
            Expect(m.State == FrontendState.Ready, "state after the migration: " + m.State);
            Expect(dev.FrontendAbi == BlkifAbi.X86_32, "the frontend did not follow the new backend's layout: " + dev.FrontendAbi);
            var r = dev.Execute(Cdb.Read10(500, 32), dataInLength: before.Length);
            Expect(r.IsSuccess && r.Data.SequenceEqual(before), "what was written before the migration does not read back after it");
            WriteReadBack(dev, 700, 24, 5, 6);
        }

        private static WorkloadSpec Mixed(long count) => new WorkloadSpec
        {
            // The xunit suite's workload (DeviceWorkloadTests): the same name and seeds, so both runtimes run the same operations.
            Name = "mixed",
            BlockSizes = BlockSizeDistribution.WindowsMix,
            MisalignedFraction = 0.3,
            QueueDepth = 8,
            Count = count,
            LengthBytes = 8 << 20,
            Seed = 21,
        };

        private static VbdDeviceOptions WorkloadOptions(ulong seed) => new VbdDeviceOptions
        {
            Seed = seed,
            GuestBufferBytes = DeviceWorkloadTarget.GuestBufferBytesFor(8, BlockSizeDistribution.WindowsMix.MaxBytes),
        };

        private static void Workload()
        {
            using var dev = VbdDevice.Create(WorkloadOptions(3));
            var spec = Mixed(1000);
            var target = new DeviceWorkloadTarget(dev, spec.QueueDepth, spec.BlockSizes.MaxBytes);
            var r = WorkloadRunner.Run(target, spec);
            Expect(r.Operations == 1000, "operations: " + r.Operations);
            Expect(r.Errors == 0, "errors: " + r.Errors);
            Expect(r.ViolationCount == 0, "integrity violations: " + r.ViolationCount);
            Expect(r.BytesBounced > 0, "no misaligned buffer was bounced");
            Console.WriteLine($"  workload digest: reads {r.Reads}, writes {r.Writes}, bounced {r.BytesBounced}, ring requests {r.RingRequests}, virtual {r.VirtualElapsed.Ticks} ticks");
        }

        private static void PollyRetries()
        {
            using var dev = VbdDevice.Create(WorkloadOptions(4));
            var session = DeviceFaultSession.Attach(dev);
            session.Plan.Add(new FaultRule(FaultKind.Error) { Rate = 0.05 });
            var counters = new HostRetryCounters();
            var spec = Mixed(1000);
            var target = new DeviceWorkloadTarget(dev, spec.QueueDepth, spec.BlockSizes.MaxBytes,
                new HostRetryOptions { MaxRetries = 8, BaseDelay = TimeSpan.FromMilliseconds(1), UseCircuitBreaker = false }, counters);
            var r = WorkloadRunner.Run(target, spec, new WorkloadRunOptions { Faults = session.Injector, HostRetries = counters });
            Expect(r.FaultsByKind.TryGetValue("Error", out long injected) && injected > 0, "no error was injected");
            Expect(r.HostRetries > 0, "Polly retried nothing");
            Console.WriteLine($"  retry digest: injected {injected}, retries {r.Retries}, errors {r.Errors}, virtual {r.VirtualElapsed.Ticks} ticks");
            // The digest line must be the same as the net10.0 build's (build.ps1 compares them): it was not while
            // Polly's jittered back-off gave sub-millisecond waits, which .NET 10 truncated to none and Mono waited.
            Expect(r.Errors * 10 < injected, $"{r.Errors} of {injected} injected errors reached the caller: Polly's retries did not rescue them");
            Expect(r.ViolationCount == 0, "integrity violations: " + r.ViolationCount);
            Expect(r.Stuck == 0, "operations never completed: " + r.Stuck);
        }

        private static byte[] Pattern(int length, int seed)
        {
            var rng = new Random(seed);
            var b = new byte[length];
            rng.NextBytes(b);
            return b;
        }
    }
}

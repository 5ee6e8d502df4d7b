using System;
using System.Collections.Generic;
using System.Threading;
using XenVbd.Faults;
using XenVbd.Sim;
using XenVbd.Storage;
using XenVbd.Workload;

namespace XenVbd.Tests.Workload
{
    public class WorkloadRunnerTests
    {
        private static StorageWorkloadTarget Target(out Scheduler scheduler, long service = 500)
        {
            scheduler = new Scheduler(1);
            return new StorageWorkloadTarget(new MemoryDisk(16 << 20), scheduler, TimeSpan.FromTicks(service));
        }

        [Fact]
        public void The_same_seed_gives_the_same_result()
        {
            static string Run(ulong seed)
            {
                var target = Target(out _);
                var spec = new WorkloadSpec { BlockSizes = BlockSizeDistribution.WindowsMix, MisalignedFraction = 0.3, QueueDepth = 16, Count = 3000, Seed = seed };
                var r = WorkloadRunner.Run(target, spec);
                return $"{r.Operations} {r.Reads} {r.Writes} {r.BytesRead} {r.BytesWritten} {r.MisalignedOperations} {r.VirtualElapsed.Ticks} {r.Latency.P99Us}";
            }
            Assert.Equal(Run(5), Run(5));
            Assert.NotEqual(Run(5), Run(6));
        }

        [Fact]
        public void The_queue_depth_bounds_what_is_in_flight()
        {
            var target = Target(out _);
            var r = WorkloadRunner.Run(target, new WorkloadSpec { QueueDepth = 4, Count = 2000 });
            int max = 0;
            foreach (var p in r.Timeline.Points()) max = Math.Max(max, p.MaxRingOccupancy);
            Assert.InRange(max, 1, 4);
            Assert.Equal(2000, r.Operations);
        }

        [Fact]
        public void Virtual_throughput_follows_the_service_time_and_queue_depth()
        {
            // 8 in flight, 50 us each: 160,000 IOPS in virtual time whatever the machine.
            var target = Target(out _, service: 500);
            var r = WorkloadRunner.Run(target, new WorkloadSpec { QueueDepth = 8, Count = 8000, ReadFraction = 1 });
            Assert.InRange(r.IopsVirtual, 150_000, 170_000);
            Assert.Equal(50, r.Latency.P50Us, 1);
            Assert.Equal(50, r.Latency.P9999Us, 1);
        }

        [Fact]
        public void A_timed_run_stops_issuing_after_the_virtual_duration()
        {
            var target = Target(out var scheduler, service: 1000);
            var r = WorkloadRunner.Run(target, new WorkloadSpec { Count = 0, Duration = TimeSpan.FromMilliseconds(10), QueueDepth = 1 });
            Assert.InRange(r.Operations, 100, 101);
            Assert.InRange(scheduler.Now, TimeSpan.FromMilliseconds(10).Ticks, TimeSpan.FromMilliseconds(10.2).Ticks);
        }

        [Fact]
        public void Progress_is_reported_every_N_operations()
        {
            var target = Target(out _);
            var seen = new List<long>();
            var progress = new SyncProgress(p => seen.Add(p.Completed));
            WorkloadRunner.Run(target, new WorkloadSpec { Count = 1000 }, new WorkloadRunOptions { Progress = progress, ProgressEvery = 250 });
            Assert.Equal(new long[] { 250, 500, 750, 1000 }, seen);
        }

        [Fact]
        public void Cancellation_stops_cleanly_with_partial_results()
        {
            var target = Target(out _);
            using var cts = new CancellationTokenSource();
            var r = WorkloadRunner.Run(target, new WorkloadSpec { Count = 100_000, QueueDepth = 8 },
                new WorkloadRunOptions { OnCompletion = n => { if (n == 500) cts.Cancel(); }, CancellationToken = cts.Token });
            Assert.True(r.Cancelled);
            Assert.InRange(r.Operations, 500, 510);
            Assert.Equal(0, r.Stuck);
            Assert.Equal(0, r.ViolationCount);
        }

        [Fact]
        public void Misaligned_buffers_use_the_given_offsets()
        {
            var target = new RecordingTarget();
            WorkloadRunner.Run(target, new WorkloadSpec { Count = 500, MisalignedFraction = 1, AlignmentOffsets = new[] { 3, 511 } });
            Assert.All(target.Offsets, o => Assert.True(o == 3 || o == 511));
            Assert.Contains(3, target.Offsets);
            Assert.Contains(511, target.Offsets);
        }

        [Fact]
        public void Operations_in_flight_never_overlap()
        {
            var target = new RecordingTarget();
            var r = WorkloadRunner.Run(target, new WorkloadSpec { Count = 5000, QueueDepth = 32, LengthBytes = 256 * 1024, BlockSizes = BlockSizeDistribution.WindowsMix });
            Assert.False(target.SawOverlap);
            Assert.Equal(0, r.ViolationCount);
        }

        [Fact]
        public void Fault_counters_are_reported_per_run()
        {
            var target = Target(out var scheduler);
            var plan = new FaultPlan();
            var injector = new FaultInjector(scheduler, plan);
            injector.Counters.Increment(FaultKind.Drop);
            var r = WorkloadRunner.Run(target, new WorkloadSpec { Count = 100 }, new WorkloadRunOptions
            {
                Faults = injector,
                OnCompletion = n => { if (n % 10 == 0) injector.Counters.Increment(FaultKind.Error); },
            });
            Assert.Equal(10, r.FaultsByKind["Error"]);
            Assert.False(r.FaultsByKind.ContainsKey("Drop"));
        }

        [Fact]
        public void Windows_seed_sizes_are_mostly_512_bytes_with_rare_bursts()
        {
            var d = BlockSizeDistribution.WindowsMix;
            var r = new SimRandom(1);
            int burst = 0, small = 0, k4 = 0, k8 = 0, large = 0;
            for (int i = 0; i < 100_000; i++)
            {
                int s = d.Sample(r, ref burst);
                if (s == 512) small++;
                else if (s == 4096) k4++;
                else if (s == 8192) k8++;
                else large++;
            }
            Assert.InRange(small, 85_000, 92_000);
            Assert.InRange(k4, 6_000, 9_500);
            Assert.InRange(k8, 1_200, 2_800);
            Assert.InRange(large, 1_000, 6_000);
        }

        private sealed class SyncProgress : IProgress<WorkloadProgress>
        {
            private readonly Action<WorkloadProgress> _action;

            public SyncProgress(Action<WorkloadProgress> action) => _action = action;

            public void Report(WorkloadProgress value) => _action(value);
        }

        /// <summary>A target that completes after a random delay and checks the runner's promises.</summary>
        private sealed class RecordingTarget : IWorkloadTarget, ISimEventHandler
        {
            private readonly MemoryDisk _disk = new MemoryDisk(16 << 20);
            private readonly List<WorkloadIo> _inFlight = new List<WorkloadIo>();
            private readonly Dictionary<int, IWorkloadCompletion> _sinks = new Dictionary<int, IWorkloadCompletion>();
            private readonly SimRandom _random = new SimRandom(99);

            public Scheduler Scheduler { get; } = new Scheduler(1);
            public int LogicalSectorSize => 512;
            public long SizeBytes => _disk.SizeBytes;
            public int RingOccupancy => _inFlight.Count;
            public List<int> Offsets { get; } = new List<int>();
            public bool SawOverlap { get; private set; }

            public WorkloadTargetCounters ReadCounters() => new WorkloadTargetCounters();

            public void Start(WorkloadIo io, IWorkloadCompletion completion)
            {
                foreach (var other in _inFlight)
                    if (io.Lba < other.Lba + other.Blocks && other.Lba < io.Lba + io.Blocks) SawOverlap = true;
                _inFlight.Add(io);
                _sinks[io.Slot] = completion;
                if (io.AlignmentOffset != 0) Offsets.Add(io.AlignmentOffset);
                Scheduler.Schedule(_random.Next(10, 5000), this, 0, io.Slot);
            }

            public void OnSimEvent(int kind, long argument)
            {
                var io = _inFlight.Find(x => x.Slot == argument)!;
                _inFlight.Remove(io);
                if (io.Kind == WorkloadIoKind.Write) _disk.Write(io.Lba * 512, io.Data);
                else if (io.Kind == WorkloadIoKind.Read) _disk.Read(io.Lba * 512, io.Data);
                io.Success = true;
                _sinks[(int)argument].OnCompleted(io);
            }
        }
    }
}

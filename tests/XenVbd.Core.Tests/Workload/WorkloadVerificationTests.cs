using System;
using XenVbd.Sim;
using XenVbd.Storage;
using XenVbd.Workload;

namespace XenVbd.Tests.Workload
{
    public class WorkloadVerificationTests
    {
        private static WorkloadSpec Spec(ulong seed = 11, long count = 4000) => new WorkloadSpec
        {
            Name = "verify",
            Pattern = IoPattern.Random,
            ReadFraction = 0.5,
            BlockSizes = BlockSizeDistribution.Fixed(4096),
            QueueDepth = 8,
            Count = count,
            LengthBytes = 1 << 20,
            Seed = seed,
        };

        private static (WorkloadResult Result, CorruptingDisk Disk) Run(Corruption mode, WorkloadSpec? spec = null)
        {
            var scheduler = new Scheduler(1);
            var disk = new CorruptingDisk(new MemoryDisk(4 << 20), mode);
            var target = new StorageWorkloadTarget(disk, scheduler, TimeSpan.FromMicroseconds(50));
            return (WorkloadRunner.Run(target, spec ?? Spec()), disk);
        }

        [Fact]
        public void An_honest_disk_shows_no_violations()
        {
            var (r, _) = Run(Corruption.None);
            Assert.Equal(4000, r.Operations);
            Assert.Equal(0, r.ViolationCount);
            Assert.Equal(0, r.Errors);
            Assert.True(r.Reads > 1500 && r.Writes > 1500);
        }

        [Theory]
        [InlineData(Corruption.LoseWrites, IntegrityViolationKind.Lost)]
        [InlineData(Corruption.TearWrites, IntegrityViolationKind.Torn)]
        [InlineData(Corruption.MisdirectWrites, IntegrityViolationKind.Misdirected)]
        [InlineData(Corruption.StaleOverwrites, IntegrityViolationKind.Stale)]
        public void Each_corruption_kind_is_detected_and_named(Corruption mode, IntegrityViolationKind expected)
        {
            var (r, disk) = Run(mode);
            Assert.True(disk.Corrupted > 0);
            Assert.True(r.ViolationsByKind.TryGetValue(expected.ToString(), out long n) && n > 0,
                $"expected {expected}, found {string.Join(", ", r.ViolationsByKind)}");
            Assert.Contains(r.Violations, v => v.Kind == expected);
        }

        [Fact]
        public void A_read_that_delivers_nothing_is_caught_as_torn_data()
        {
            var scheduler = new Scheduler(1);
            var target = new SilentReadTarget(new MemoryDisk(4 << 20), scheduler);
            var r = WorkloadRunner.Run(target, Spec());
            Assert.True(r.ViolationsByKind.ContainsKey(nameof(IntegrityViolationKind.Torn)));
        }

        [Fact]
        public void Verification_carries_over_to_a_second_run_through_the_map()
        {
            var scheduler = new Scheduler(1);
            var inner = new MemoryDisk(4 << 20);
            var target = new StorageWorkloadTarget(inner, scheduler, TimeSpan.FromMicroseconds(10));
            var write = new WorkloadSpec { Name = "fill", ReadFraction = 0, Pattern = IoPattern.Sequential, LengthBytes = 1 << 20, Count = 256, Seed = 3 };
            WorkloadRunner.Run(target, write, null, out var map);
            // Damage one sector behind the workload's back; the reading run must find it.
            inner.Write(4096 * 10, new byte[512]);
            var read = new WorkloadSpec { Name = "check", ReadFraction = 1, Pattern = IoPattern.Sequential, LengthBytes = 1 << 20, Count = 256, Seed = 3 };
            var r = WorkloadRunner.Run(target, read, new WorkloadRunOptions { Map = map });
            Assert.Equal(1, r.ViolationCount);
            Assert.Equal(IntegrityViolationKind.Lost, r.Violations[0].Kind);
            Assert.Equal(80, r.Violations[0].Sector);
        }

        /// <summary>Completes reads successfully without touching the buffer.</summary>
        private sealed class SilentReadTarget : IWorkloadTarget, ISimEventHandler
        {
            private readonly IBlockStorage _disk;
            private readonly WorkloadIo?[] _ios = new WorkloadIo?[64];
            private readonly IWorkloadCompletion?[] _sinks = new IWorkloadCompletion?[64];

            public SilentReadTarget(IBlockStorage disk, Scheduler scheduler)
            {
                _disk = disk;
                Scheduler = scheduler;
            }

            public Scheduler Scheduler { get; }
            public int LogicalSectorSize => 512;
            public long SizeBytes => _disk.SizeBytes;
            public int RingOccupancy => 0;
            public WorkloadTargetCounters ReadCounters() => new WorkloadTargetCounters();

            public void Start(WorkloadIo io, IWorkloadCompletion completion)
            {
                _ios[io.Slot] = io;
                _sinks[io.Slot] = completion;
                Scheduler.Schedule(100, this, 0, io.Slot);
            }

            public void OnSimEvent(int kind, long argument)
            {
                var io = _ios[argument]!;
                if (io.Kind == WorkloadIoKind.Write) _disk.Write(io.Lba * 512, io.Data);
                io.Success = true;
                _sinks[argument]!.OnCompleted(io);
            }
        }
    }
}

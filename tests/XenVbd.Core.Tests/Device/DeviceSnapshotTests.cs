using System;
using System.Linq;
using System.Text;
using CsCheck;
using XenVbd.Backend;
using XenVbd.Campaign;
using XenVbd.Device;
using XenVbd.Faults;
using XenVbd.Frontend;
using XenVbd.Ring;
using XenVbd.Workload;

namespace XenVbd.Tests.Device
{
    /// <summary>
    /// A device restored from a snapshot is indistinguishable from a freshly created and connected one: the same
    /// case (SRBs at random sizes and alignments, a fault plan, a bus reset, a migration, a verified workload) is
    /// run on a fresh device and on a restored one that first ran a different case, and every observable is
    /// compared — each SRB's answer, the trace, the frontend's, blkback's and the disk's statistics, the disk's
    /// bytes, guest memory, XenStore, the ring, virtual time and the scheduler's event count.
    /// </summary>
    public sealed class DeviceSnapshotTests
    {
        private const long DiskBytes = 1 << 20;

        private static readonly Gen<SrbOp> Ops = Gen.Select(Gen.Int[0, 5], Gen.Int[0, 2040], Gen.Int[1, 40], Gen.Int[0, 4095], Gen.Int, (kind, lba, blocks, align, data) => new SrbOp(kind, lba, blocks, align % 3 == 0 ? 0 : align, data));

        private static readonly Gen<Case> Cases = Gen.Select(
            Gen.Select(Gen.Int[0, 1], Gen.Int[0, 2], Gen.Int[0, 1], Gen.Int[0, 2], Gen.Int[0, Enum.GetValues(typeof(FrontendPersonality)).Length - 1]),
            Gen.Select(Gen.Int[0, 4], Gen.Int[0, 2], Gen.Int[0, 3], Gen.Bool, Gen.UInt[1, 1000]),
            Ops.Array[1, 12],
            (d, f, ops) => new Case(d.Item1, d.Item2, d.Item3, d.Item4, d.Item5, f.Item1, f.Item2, f.Item3, f.Item4, f.Item5, ops));

        [Fact]
        public void A_restored_device_runs_every_case_exactly_as_a_fresh_one()
        {
            Gen.Select(Cases, Cases).Sample(pair =>
            {
                var (first, second) = pair;
                var options = second.Options();
                string fresh = Observe(VbdDevice.Create(options), second, dispose: true);

                // The template has another seed and has run another case before being restored.
                var template = options.Clone();
                template.Seed = second.Seed + 7919;
                using var device = VbdDevice.Create(template);
                var snapshot = VbdDeviceSnapshot.Capture(device);
                Assert.True(snapshot.CanReseed, "connecting drew from the random source");
                snapshot.Restore(first.Seed);
                Observe(device, first with { }, dispose: false);
                snapshot.Restore(second.Seed);
                string restored = Observe(device, second, dispose: false);
                Assert.Equal(fresh, restored);
            }, iter: 150, threads: 1);
        }

        [Fact]
        public void Restoring_twice_in_a_row_gives_the_same_run_and_the_snapshot_seed_comes_back()
        {
            var c = new Case(1, 1, 0, 1, 0, 1, 2, 1, true, 5, new[] { new SrbOp(0, 8, 9, 3, 1), new SrbOp(1, 8, 9, 0, 2), new SrbOp(4, 0, 1, 0, 3) });
            var options = c.Options();
            using var device = VbdDevice.Create(options);
            var snapshot = VbdDeviceSnapshot.Capture(device);
            string a = Observe(device, c, dispose: false);
            snapshot.Restore();
            string b = Observe(device, c, dispose: false);
            snapshot.Restore();
            string d = Observe(device, c, dispose: false);
            Assert.Equal(a, b);
            Assert.Equal(b, d);
            snapshot.Restore(99);
            Assert.Equal(99UL, device.Options.Seed);
            snapshot.Restore();
            Assert.Equal(options.Seed, device.Options.Seed);
            Assert.Equal(4, snapshot.Restores);
        }

        [Fact]
        public void A_restore_gives_back_what_the_run_took_and_allocates_nothing()
        {
            var options = new VbdDeviceOptions { SizeBytes = DiskBytes, GuestBufferBytes = 1 << 20 };
            using var device = VbdDevice.Create(options);
            var disk = (XenVbd.Storage.MemoryDisk)device.Storage;
            long chunksAtCapture = disk.AllocatedBytes;
            var snapshot = VbdDeviceSnapshot.Capture(device);
            var pattern = Enumerable.Repeat((byte)0x5A, 4096).ToArray();
            long allocated = -1;
            for (int round = 0; round < 4; round++)
            {
                for (int lba = 0; lba < 2048; lba += 128) Assert.Equal(XenVbd.Scsi.SrbStatus.Success, device.Execute(Cdb.Write10((uint)lba, 8), pattern, bufferAlignment: 3).SrbStatus);
                Assert.True(disk.AllocatedBytes > chunksAtCapture);
                long before = GC.GetAllocatedBytesForCurrentThread();
                snapshot.Restore();
                allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                Assert.Equal(chunksAtCapture, disk.AllocatedBytes);
                var read = device.Execute(Cdb.Read10(0, 8), dataInLength: 4096);
                Assert.True(read.Data.All(x => x == 0), "a restored disk still held a write made after the snapshot");
                snapshot.Restore();
            }
            // From the second round on the disk reuses the chunks the restores took back: nothing new is allocated.
            Assert.Equal(0, allocated);
        }

        [Fact]
        public void A_snapshot_refuses_what_it_cannot_put_back()
        {
            var unconnected = VbdDevice.CreateUnconnected(new VbdDeviceOptions());
            try
            {
                var ex = Assert.Throws<InvalidOperationException>(() => VbdDeviceSnapshot.Capture(unconnected));
                Assert.Contains("not connected", ex.Message);
            }
            finally
            {
                unconnected.Dispose();
            }

            using var device = VbdDevice.Create(new VbdDeviceOptions { ReorderCompletions = true });
            var snapshot = VbdDeviceSnapshot.Capture(device);
            if (!snapshot.CanReseed)
            {
                var ex = Assert.Throws<InvalidOperationException>(() => snapshot.Restore(snapshot.Seed + 1));
                Assert.Contains("cannot take another seed", ex.Message);
            }
            snapshot.Restore(snapshot.Seed);
        }

        [Fact]
        public void A_pool_hands_out_restored_devices_that_match_fresh_ones()
        {
            var c = new Case(0, 2, 1, 0, 0, 2, 1, 0, false, 11, new[] { new SrbOp(0, 100, 16, 0, 1), new SrbOp(1, 100, 16, 7, 2) });
            string fresh = Observe(VbdDevice.Create(c.Options()), c, dispose: true);
            using var pool = new VbdDevicePool(2);
            for (int i = 0; i < 3; i++)
            {
                var device = pool.Acquire(c.Options());
                Assert.Equal(fresh, Observe(device, c, dispose: false));
            }
            Assert.Equal(1, pool.Created);
            Assert.Equal(2, pool.Restored);
        }

        /// <summary>Runs the case and writes down everything a user or a test could observe of the device.</summary>
        private static string Observe(VbdDevice device, Case c, bool dispose)
        {
            try
            {
                var sb = new StringBuilder();
                device.Host.Trace.Enabled = true;
                DeviceFaultSession? session = null;
                if (c.Fault != 0)
                {
                    session = DeviceFaultSession.Attach(device);
                    var rule = c.Fault switch
                    {
                        1 => new CampaignFaultRule { Kind = FaultKind.Latency, Rate = 0.5, Delay = TimeSpan.FromMicroseconds(300) },
                        2 => new CampaignFaultRule { Kind = FaultKind.Error, Rate = 0.3 },
                        3 => new CampaignFaultRule { Kind = FaultKind.Drop, MaxCount = 1 },
                        _ => new CampaignFaultRule { Kind = FaultKind.Latency, Rate = 1, Delay = TimeSpan.FromMilliseconds(2), Distribution = LatencyShape.Exponential },
                    };
                    session.Plan.Add(rule.ToRule());
                }

                int i = 0;
                foreach (var op in c.Ops)
                {
                    if (c.ResetAt == i) device.Reset();
                    if (c.MigrateAt == i) sb.Append("migrate ").Append(Describe(device.MigrateBackend(BlkifAbi.X86_32, BackendAbiMode.Native))).Append('\n');
                    try
                    {
                        sb.Append(Describe(Run(device, op))).Append('\n');
                    }
                    catch (InvalidOperationException ex)
                    {
                        // An SRB a dropped response left pending: the next Execute is refused, the same way on both devices.
                        sb.Append("refused ").Append(ex.Message).Append('\n');
                    }
                    i++;
                }
                if (c.Workload)
                {
                    var spec = new CampaignWorkload { Count = 30, QueueDepth = 4, LengthBytes = 256 * 1024, MisalignedFraction = 0.3 }.ToSpec("snap", c.Seed);
                    var target = new DeviceWorkloadTarget(device, spec.QueueDepth, 64 * 1024);
                    var r = WorkloadRunner.Run(target, spec, new WorkloadRunOptions { Faults = session?.Injector, MaxEventsWithoutProgress = 200_000 });
                    sb.Append("workload ").Append(r.Operations).Append(' ').Append(r.Errors).Append(' ').Append(r.ViolationCount).Append(' ').Append(r.Stuck).Append(' ')
                        .Append(r.VirtualElapsed.Ticks).Append(' ').Append(string.Join(",", r.FaultsByKind.Select(kv => kv.Key + "=" + kv.Value))).Append('\n');
                }
                device.RunUntilIdle();
                session?.Detach();

                sb.Append("state ").Append(device.State).Append(' ').Append(device.FailureReason).Append(' ').Append(device.Warning).Append('\n');
                sb.Append("time ").Append(device.Host.Scheduler.Now).Append(" events ").Append(device.Host.Scheduler.EventsRun).Append(" pending ").Append(device.Host.Scheduler.Pending).Append('\n');
                sb.Append("abi ").Append(device.FrontendAbi).Append(' ').Append(device.BackendAbi).Append(' ').Append(device.ProbeResult?.Switched).Append('\n');
                sb.Append("frontend ").Append(Properties(device.GetStatistics())).Append('\n');
                sb.Append("backend ").Append(Properties(device.Backend.Statistics)).Append('\n');
                sb.Append("storage ").Append(Properties(device.Storage.Statistics)).Append('\n');
                foreach (var kv in device.XenStoreKeys) sb.Append("xs ").Append(kv.Key).Append('=').Append(kv.Value).Append('\n');
                var ring = device.GetRing();
                if (ring != null) sb.Append("ring ").Append(Properties(ring)).Append('\n');
                foreach (var e in device.Host.Trace.Snapshot()) sb.Append("trace ").Append(e.Time).Append(' ').Append(e.Kind).Append(' ').Append(e.Device).Append(' ').Append(e.A).Append(' ').Append(e.B).Append(' ').Append(e.C).Append(' ').Append(e.D).Append('\n');
                var disk = new byte[DiskBytes];
                device.Storage.Read(0, disk);
                sb.Append("disk ").Append(Hash(disk)).Append('\n');
                sb.Append("guest ").Append(Hash(device.GuestBytes(0, (int)device.Guest.Memory.ByteLength))).Append('\n');
                device.Host.Trace.Enabled = false;
                return sb.ToString();
            }
            finally
            {
                if (dispose) device.Dispose();
            }
        }

        private static SrbResult Run(VbdDevice device, SrbOp op)
        {
            uint lba = (uint)op.Lba;
            ushort blocks = (ushort)op.Blocks;
            switch (op.Kind)
            {
                case 0:
                case 1:
                    var data = new byte[blocks * 512];
                    new XenVbd.Sim.SimRandom((ulong)op.Data).NextBytes(data);
                    return device.Execute(Cdb.Write10(lba, blocks), data, bufferAlignment: op.Alignment);
                case 2:
                case 3:
                    return device.Execute(Cdb.Read10(lba, blocks), dataInLength: blocks * 512, bufferAlignment: op.Alignment);
                case 4:
                    return device.Execute(new byte[] { 0x35, 0, 0, 0, 0, 0, 0, 0, 0, 0 });
                default:
                    return device.Execute(Cdb.Inquiry(true, 0x80, 64), dataInLength: 64);
            }
        }

        private static string Describe(SrbResult r) => r.SrbStatus + " " + r.ScsiStatus + " " + Convert.ToHexString(r.Sense) + " " + Hash(r.Data) + " " + r.RequestsUsed + " " + r.BouncePasses + " " + r.BytesBounced + " " + r.Latency.Ticks;

        private static string Describe(MigrationResult m) => Properties(m);

        private static string Properties(object o) => string.Join(",", o.GetType().GetProperties().Where(p => p.GetIndexParameters().Length == 0).OrderBy(p => p.Name, StringComparer.Ordinal).Select(p => p.Name + "=" + Format(p.GetValue(o))));

        private static string Format(object? v) => v switch
        {
            null => "null",
            byte[] b => Hash(b),
            System.Collections.IEnumerable e when v is not string => "[" + string.Join(";", e.Cast<object?>().Select(Format)) + "]",
            _ => v.ToString() ?? "",
        };

        private static string Hash(ReadOnlySpan<byte> bytes)
        {
            ulong h = 14695981039346656037UL;
            foreach (byte b in bytes) { h ^= b; h *= 1099511628211UL; }
            return h.ToString("x16");
        }

        private sealed record SrbOp(int Kind, int Lba, int Blocks, int Alignment, int Data);

        private sealed record Case(int Abi, int Bounce, int Order, int Indirect, int Personality, int Fault, int ResetAt, int MigrateAt, bool Workload, uint SeedValue, SrbOp[] Ops)
        {
            public ulong Seed => SeedValue;

            public VbdDeviceOptions Options() => new VbdDeviceOptions
            {
                SizeBytes = DiskBytes,
                GuestBufferBytes = 1 << 20,
                BackendAbi = Abi == 0 ? BlkifAbi.X86_64 : BlkifAbi.X86_32,
                Bounce = (BounceStrategyKind)Bounce,
                MaxRingPageOrder = Order,
                MaxIndirectSegments = Indirect == 0 ? 0 : Indirect == 1 ? 32 : 256,
                Personality = (FrontendPersonality)Enum.GetValues(typeof(FrontendPersonality)).GetValue(Personality)!,
                Seed = Seed,
            };

            public override string ToString() => $"abi {Abi} bounce {Bounce} order {Order} indirect {Indirect} personality {Personality} fault {Fault} reset@{ResetAt} migrate@{MigrateAt} workload {Workload} seed {Seed} ops [{string.Join("; ", Ops.Select(o => o.ToString()))}]";
        }
    }
}

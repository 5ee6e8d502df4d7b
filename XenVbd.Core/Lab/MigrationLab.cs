using System;
using XenVbd.Faults;
using XenVbd.Ring;
using XenVbd.Workload;

namespace XenVbd.Lab
{
    /// <summary>
    /// Lab 4: a live workload while the backend moves to a dom0 of the other bitness and back (old
    /// backends that ignore the protocol key, so only the probe can tell); each move must re-probe, switch
    /// the ring layout, resubmit what was in flight, and keep every byte.
    /// </summary>
    public sealed class MigrationLab : ILab
    {
        public string Name => "Migration";

        public string Description => "Live workload while the backend moves to a dom0 of other bitness; re-probe; data intact.";

        public LabResult Run(LabContext context)
        {
            var lab = new LabResult(Name, context.Seed);
            context.Report(Name, "migrating", 0);
            using var device = context.CreateDevice("migration", 8, 8192, o =>
            {
                o.FrontendAbi = BlkifAbi.X86_64;
                o.BackendAbi = BlkifAbi.X86_64;
                o.BackendMode = Backend.BackendAbiMode.Native;
            });
            var session = DeviceFaultSession.Attach(device);
            var moves = new[] { (1000L, BlkifAbi.X86_32), (2000L, BlkifAbi.X86_64), (3000L, BlkifAbi.X86_32) };
            var spec = new WorkloadSpec
            {
                Name = "live migration",
                ReadFraction = 0.5,
                BlockSizes = BlockSizeDistribution.Fixed(4096),
                MisalignedFraction = 0.2,
                QueueDepth = 8,
                Count = 4000,
                LengthBytes = 4 << 20,
                Seed = context.SeedFor("migration"),
            };
            var options = new WorkloadRunOptions
            {
                CancellationToken = context.CancellationToken,
                Faults = session.Injector,
                // Moves are planned by completed-op count so they land mid-flight whatever the timing model does.
                OnCompletion = n =>
                {
                    foreach (var (at, abi) in moves)
                        if (n == at) session.Plan.Add(new FaultRule(FaultKind.Migration) { Start = device.Now, MigrateTo = abi, MigrateNative = true });
                },
            };
            var target = new DeviceWorkloadTarget(device, 8, 8192);
            var r = WorkloadRunner.Run(target, spec, options);
            LabChecks.Workload(lab, "live migration", r, doubleCompletions: target.DoubleCompletions);
            lab.Check(session.Migrations.Count == moves.Length, $"{session.Migrations.Count} of {moves.Length} migrations happened");
            foreach (var m in session.Migrations)
            {
                lab.Check(m.Reprobed, $"migration to {m.NewBackendAbi}: the frontend did not probe again");
                lab.Check(m.FrontendAbiAfter == m.NewBackendAbi, $"migration to {m.NewBackendAbi}: the ring stayed {m.FrontendAbiAfter}");
                lab.Find($"Moved to an {m.NewBackendAbi} {m.NewBackendMode} dom0: re-probed {m.Reprobed}, ring {m.FrontendAbiBefore} -> {m.FrontendAbiAfter}, {m.SrbsResubmitted} SRBs resubmitted, state {m.State}.");
            }
            lab.Metric("migrations", session.Migrations.Count);
            lab.Metric("probes", r.Probes);
            lab.Metric("abi_switches", r.AbiSwitches);
            lab.Find($"{r.Operations} ops across {session.Migrations.Count} migrations, {r.ViolationCount} integrity violations.");
            return lab;
        }
    }
}

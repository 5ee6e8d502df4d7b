using System;
using System.Collections.Generic;
using System.Linq;

namespace XenVbd.Reliability
{
    /// <summary>A rogue-peer target as the fuzzer and the soak runner see it.</summary>
    public abstract class Target
    {
        public const int CounterCount = 16;

        public abstract string Name { get; }

        /// <summary>One run over arbitrary bytes; throws on a broken invariant.</summary>
        public abstract void Run(ReadOnlySpan<byte> input);

        /// <summary>One run of generated case <paramref name="seed"/>, adding to <paramref name="counters"/>.</summary>
        public abstract void RunGenerated(ulong seed, long[] counters);

        public abstract byte[] Generate(ulong seed, bool small);

        /// <summary>
        /// Which device configuration generated case <paramref name="seed"/> runs on: the soak runs a worker's cases
        /// group by group, so one pooled device serves each group. 0 for a target without devices to share.
        /// </summary>
        public virtual int DeviceGroup(ulong seed) => 0;

        /// <summary>As <see cref="RunGenerated(ulong, long[])"/>; a device target runs on this thread's pooled, restored devices unless <paramref name="freshDevices"/>.</summary>
        public virtual void RunGenerated(ulong seed, long[] counters, bool freshDevices) => RunGenerated(seed, counters);

        public abstract string Describe(long[] counters);
    }

    public static class Targets
    {
        private static readonly List<Target> All = new List<Target> { new BackendTarget(), new FrontendTarget() };

        public static IEnumerable<string> Names => All.Select(t => t.Name);

        /// <summary>Lets later targets (the frontend's) join without touching the runner.</summary>
        public static void Add(Target t) => All.Add(t);

        public static Target? Get(string name) => All.FirstOrDefault(t => t.Name == name);

        private sealed class BackendTarget : Target
        {
            public override string Name => "backend";

            public override void Run(ReadOnlySpan<byte> input) => RogueFrontendHarness.Run(input);

            public override byte[] Generate(ulong seed, bool small)
            {
                var r = new Sim.SimRandom(seed);
                return small
                    ? RogueCases.Frontend((byte)r.Next(256), r.Next(6), 0, 0, 2, r.NextUInt64())
                    : RogueCases.FrontendCase(seed);
            }

            public override void RunGenerated(ulong seed, long[] c)
            {
                var o = RogueFrontendHarness.Run(RogueCases.FrontendCase(seed));
                c[0]++;
                c[1] += o.Consumed;
                c[2] += o.Okay;
                c[3] += o.Errors;
                c[4] += o.NotSupported;
                c[5] += o.Dropped;
                if (o.Halted) c[6]++;
                if (o.RingUsedForData) c[7]++;
            }

            public override string Describe(long[] c) =>
                $"requests consumed {c[1]}: okay {c[2]}, error {c[3]}, eopnotsupp {c[4]}, responses dropped by the lab {c[5]}; rings halted {c[6]}; cases where the frontend named its own ring as a data page (ring accounting not checked) {c[7]}";
        }

        private sealed class FrontendTarget : Target
        {
            public override string Name => "frontend";

            public override void Run(ReadOnlySpan<byte> input) => RogueBackendHarness.Run(input);

            public override byte[] Generate(ulong seed, bool small) => RogueBackendCases.Frontend(seed, small);

            public override void RunGenerated(ulong seed, long[] c) => Count(RogueBackendHarness.Run(Generate(seed, small: false)), c);

            // One pool per thread: a case's device is restored from the snapshot of its configuration's first.
            [ThreadStatic] private static Device.VbdDevicePool? _pool;

            public override int DeviceGroup(ulong seed) => RogueBackendRun.DeviceKey(Generate(seed, small: false));

            public override void RunGenerated(ulong seed, long[] counters, bool freshDevices)
            {
                if (freshDevices)
                {
                    RunGenerated(seed, counters);
                    return;
                }
                using var run = new RogueBackendRun(Generate(seed, small: false), _pool ??= new Device.VbdDevicePool(2));
                Count(run.Execute(), counters);
            }

            private static void Count(RogueBackendOutcome o, long[] c)
            {
                c[0]++;
                c[1] += o.Srbs;
                c[2] += o.Ok;
                c[3] += o.Failed;
                c[4] += o.RequestsConsumed;
                if (o.Broken) c[5]++;
                if (o.LateResponses > 0) c[6]++;
                c[7] += o.LateResponses;
                c[8] += o.WatchdogTimeouts;
                c[9] += o.MultiPassSrbs;
                if (o.IndirectRequests > 0) c[10]++;
                if (o.GrantsStillMapped > 0) c[11]++;
                c[12] += o.BounceWaitTimeouts;
                c[13] += o.DataChecked;
                if (o.RogueSent) c[14]++;
                if (o.UndetectableSent) c[15]++;
            }

            public override string Describe(long[] c) =>
                $"SRBs {c[1]}: succeeded {c[2]}, failed {c[3]}; requests consumed by blkback {c[4]}; devices left Broken {c[5]}; " +
                $"cases with late responses {c[6]} ({c[7]} late responses); watchdog timeouts {c[8]}; multi-pass SRBs {c[9]}; cases with indirect requests {c[10]}; " +
                $"cases with XSA-396 quarantine {c[11]}; bounce-wait timeouts {c[12]}; successful SRBs byte-checked against the disk {c[13]}; " +
                $"cases with a response the frontend must reject {c[14]}; cases with an undetectable lie (bytes not checked) {c[15]}";
        }
    }
}

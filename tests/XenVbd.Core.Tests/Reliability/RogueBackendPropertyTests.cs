using System;
using System.Collections.Generic;
using CsCheck;
using XenVbd.Backend;
using XenVbd.Device;
using XenVbd.Frontend;
using XenVbd.Scsi;
using XenVbd.Sim;
using XenVbd.Tests.Scsi;
using XenVbd.Tests.Support;
using Xunit.Abstractions;

namespace XenVbd.Tests.Reliability
{
    /// <summary>
    /// A rogue backend against the xenvbd frontend: every response may be dropped, duplicated, late past
    /// the watchdog, given a wrong id, a wrong operation, a made-up status, or followed by an rsp_prod
    /// jump over stale slots. Invariants: nothing throws, every SRB completes exactly once (none lost),
    /// a rogue response leaves the device Broken (never silently accepted), and while the device is not
    /// Broken every successful SRB moved the right bytes.
    /// </summary>
    public class RogueBackendPropertyTests
    {
        private readonly ITestOutputHelper _output;

        public RogueBackendPropertyTests(ITestOutputHelper output) => _output = output;

        [Fact]
        public void Rogue_backend_cannot_break_the_frontend()
        {
            long cases = 0, srbs = 0, ok = 0, failed = 0, broken = 0;
            Gen.Select(Gen.ULong, Gen.Int[1, 24], Gen.Int[0, 100], Gen.Bool).Sample((seed, count, faultPercent, is32) =>
            {
                var o = RunCase(seed, count, faultPercent, is32);
                lock (_output)
                {
                    cases++;
                    srbs += o.Srbs;
                    ok += o.Ok;
                    failed += o.Failed;
                    if (o.Broken) broken++;
                }
            }, iter: Soak.Cases(1500), threads: Soak.Threads);
            _output.WriteLine($"cases {cases}, SRBs {srbs}: success {ok}, failed {failed}; devices left Broken {broken}");
            Assert.True(ok > 0 && failed > 0 && broken > 0 && broken < cases);
        }

        internal struct Outcome
        {
            public int Srbs, Ok, Failed;
            public bool Broken;
        }

        internal static Outcome RunCase(ulong seed, int count, int faultPercent, bool is32)
        {
            var random = new SimRandom(seed);
            using var dev = VbdDevice.Create(new VbdDeviceOptions
            {
                Personality = FrontendPersonality.Hardened,
                SizeBytes = 1 << 20,
                GuestBufferBytes = 1 << 20,
                Seed = seed,
                BackendAbi = is32 ? XenVbd.Ring.BlkifAbi.X86_32 : XenVbd.Ring.BlkifAbi.X86_64,
                Bounce = (BounceStrategyKind)random.Next(3),
                RequestTimeout = TimeSpan.FromSeconds(1 + random.Next(5)),
            });
            bool rogue = false;
            dev.BackendInterceptor = new LambdaInterceptor((ref BackendRequestPlan p) =>
            {
                if (random.Next(100) >= faultPercent) return;
                switch (random.Next(8))
                {
                    case 0: p.DropResponse = true; break;
                    case 1: p.ExtraLatencyTicks = random.NextInt64(0, 12 * TimeSpan.TicksPerSecond); break;
                    case 2: p.DuplicateResponse = true; rogue = true; break;
                    case 3: p.CorruptId = true; rogue = true; break;
                    case 4: p.CorruptOperation = true; rogue = true; break;
                    case 5: p.RspProdJump = (ushort)random.Next(1, 80); rogue = true; break;
                    case 6:
                        // Any status but OKAY: a backend that says OKAY without doing the I/O is a lie no
                        // frontend can see through, so it is not part of this property.
                        short st = (short)random.Next(-5, 3);
                        p.StatusOverride = st == 0 ? (short)-1 : st;
                        break;
                    default: p.ExtraLatencyTicks = random.Next(5000); break;
                }
            });

            // Non-overlapping 8 KiB regions, one per SRB, so each can be checked on its own.
            var srbs = new List<(Srb Srb, byte[]? Data, long Offset, int Length)>();
            int completions = 0;
            for (int i = 0; i < count; i++)
            {
                var srb = new Srb();
                srb.Completed = _ => completions++;
                long offset = i * 8192L;
                int blocks = 1 + random.Next(16);
                int align = random.Chance(0.5) ? 0 : random.Next(1, 4096);
                ulong address = dev.AllocateGuestBuffer(blocks * 512 + 4096) + (ulong)align;
                switch (random.Next(4))
                {
                    case 0:
                    case 1:
                    {
                        var data = new byte[blocks * 512];
                        random.NextBytes(data);
                        data.CopyTo(dev.GuestBytes(address, data.Length));
                        srb.Prepare(CdbEncoder.Transfer(ScsiOp.Write10, (ulong)(offset / 512), (uint)blocks), address, data.Length, DataDirection.Out);
                        srbs.Add((srb, data, offset, data.Length));
                        break;
                    }
                    case 2:
                        srb.Prepare(CdbEncoder.Transfer(ScsiOp.Read10, (ulong)(offset / 512), (uint)blocks), address, blocks * 512, DataDirection.In);
                        srbs.Add((srb, null, offset, blocks * 512));
                        break;
                    default:
                        srb.Prepare(CdbEncoder.Transfer(ScsiOp.SynchronizeCache10, 0, 0), 0, 0, DataDirection.None);
                        srbs.Add((srb, null, -1, 0));
                        break;
                }
                // Reads see what the disk holds before this case writes anything there.
                if (srbs[^1].Data == null && srbs[^1].Offset >= 0)
                {
                    var before = new byte[blocks * 512];
                    random.NextBytes(before);
                    dev.Storage.Write(offset, before);
                    srbs[^1] = (srb, before, offset, before.Length);
                }
                srb.Context = address;
                dev.Submit(srb);
            }
            dev.RunUntilIdle();

            var o = new Outcome { Srbs = count, Broken = dev.State == FrontendState.Broken };
            Assert.Equal(count, completions);
            foreach (var (srb, data, offset, length) in srbs)
            {
                Assert.True(srb.IsComplete, "an SRB was lost");
                Assert.Equal(0, srb.ExtraCompletionAttempts);
                bool success = srb.SrbStatus.Base() == SrbStatus.Success;
                if (success) o.Ok++; else o.Failed++;
                if (!success || o.Broken || offset < 0) continue;
                if (srb.Direction == DataDirection.Out)
                {
                    var disk = new byte[length];
                    dev.Storage.Read(offset, disk);
                    Assert.Equal(data, disk);
                }
                else
                {
                    Assert.Equal(data, dev.GuestBytes((ulong)srb.Context!, length).ToArray());
                }
            }
            // A rogue response must not be swallowed silently: either the device is Broken, or the
            // rogue response never reached it (e.g. the SRB had already timed out and was reset).
            var stats = dev.GetStatistics();
            if (rogue && !o.Broken) Assert.True(stats.Timeouts + stats.Resets > 0, "a rogue response was accepted without the device going Broken");
            return o;
        }
    }
}

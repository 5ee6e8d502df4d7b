using System;
using System.Collections.Generic;
using CsCheck;
using XenVbd.Device;
using XenVbd.Frontend;
using XenVbd.Ring;
using XenVbd.Scsi;
using XenVbd.Sim;
using XenVbd.Tests.Scsi;
using XenVbd.Xen;
using Xunit.Abstractions;

namespace XenVbd.Tests.Reliability
{
    /// <summary>
    /// XSA-350 against the real frontend: the backend disconnects and reconnects, and its XenBus state
    /// flaps (Closing/Closed/InitWait/Connected and nonsense written straight into XenStore, faster than
    /// the watches fire), while SRBs of every kind are in flight. No exception escapes; every SRB
    /// completes exactly once; the device ends Ready — and then serves I/O with the data intact — or in
    /// a terminal state with a reason.
    /// </summary>
    public class Xsa350FrontendTests
    {
        private readonly ITestOutputHelper _output;

        public Xsa350FrontendTests(ITestOutputHelper output) => _output = output;

        [Fact]
        public void Xsa350_connect_disconnect_flapping_with_srbs_in_flight_completes_every_srb_once()
        {
            long cases = 0, srbsTotal = 0, ok = 0, ready = 0, terminal = 0, reconnects = 0;
            long settledIoFailed = 0;
            Gen.Select(Gen.ULong, Gen.Int[1, 40]).Sample((seed, steps) =>
            {
                var o = RunCase(seed, steps, requireSettledIo: false);
                lock (_output)
                {
                    cases++;
                    srbsTotal += o.Srbs;
                    ok += o.Ok;
                    if (o.Ready) ready++; else terminal++;
                    if (o.SettledIoFailed) settledIoFailed++;
                    reconnects += o.Reconnects;
                }
            }, iter: Soak.Cases(400), threads: Soak.Threads);
            _output.WriteLine($"cases {cases}, SRBs {srbsTotal} ({ok} succeeded), ended Ready {ready}, terminal {terminal}, frontend reconnects {reconnects}, settled I/O failed {settledIoFailed} (must be 0)");
            Assert.Equal(0, settledIoFailed);
            Assert.True(ready > 0 && reconnects > 0);
        }

        /// <summary>
        /// A sequence that once left a settled device unanswered: the backend restarted while junk sat in its
        /// state key, so the frontend never saw it go (F4) and the test's settle did not either. Settled
        /// properly, the device serves I/O.
        /// </summary>
        [Fact]
        public void Xsa350_after_flapping_settles_the_device_serves_io()
        {
            foreach (ulong seed in new ulong[] { 5, 17, 99, 1234 })
                for (int steps = 10; steps <= 40; steps += 7)
                    RunCase(seed, steps, requireSettledIo: true);
        }

        /// <summary>
        /// The same flapping with the frontend's forced reconnect on (finding F4), and a settle that does not
        /// make the backend's close visible: a restart hidden behind junk must still end with a device that
        /// serves I/O, after at most the policy's number of timeouts.
        /// </summary>
        [Fact]
        public void Xsa350_with_forced_reconnect_a_restart_hidden_by_junk_still_ends_serving_io()
        {
            long cases = 0, forced = 0;
            foreach (ulong seed in new ulong[] { 5, 17, 99, 1234 })
                for (int steps = 10; steps <= 40; steps += 7)
                    forced += RunCase(seed, steps, requireSettledIo: true, reconnectAfter: 1 + (int)(seed % 3)).ForcedReconnects;
            Gen.Select(Gen.ULong, Gen.Int[1, 40], Gen.Int[1, 3]).Sample((seed, steps, n) =>
            {
                var o = RunCase(seed, steps, requireSettledIo: true, reconnectAfter: n);
                lock (_output)
                {
                    cases++;
                    forced += o.ForcedReconnects;
                }
            }, iter: Soak.Cases(300), threads: Soak.Threads);
            _output.WriteLine($"random cases {cases}, forced reconnects {forced}");
            Assert.True(forced > 0);
        }

        private struct Outcome
        {
            public int Srbs, Ok;
            public bool Ready, SettledIoFailed;
            public long Reconnects, ForcedReconnects;
        }

        private static Outcome RunCase(ulong seed, int steps, bool requireSettledIo, int reconnectAfter = 0)
        {
            var random = new SimRandom(seed);
            var modes = new[] { FrontendAbiMode.Probe, FrontendAbiMode.Announce, FrontendAbiMode.AnnounceAndProbe };
            using var dev = VbdDevice.Create(new VbdDeviceOptions
            {
                Personality = FrontendPersonality.Hardened,
                SizeBytes = 1 << 20,
                GuestBufferBytes = 1 << 20,
                Seed = seed,
                Bounce = (BounceStrategyKind)random.Next(3),
                FrontendMode = modes[random.Next(3)],
                BackendAbi = random.Chance(0.5) ? BlkifAbi.X86_32 : BlkifAbi.X86_64,
                MaxRingPageOrder = random.Next(2),
                MaxIndirectSegments = random.Chance(0.3) ? 64 : 0,
                QueueDepth = 1 + random.Next(16),
                RequestTimeout = TimeSpan.FromSeconds(1 + random.Next(3)),
                BackendServiceTime = TimeSpan.FromTicks(random.Next(1, 200_000)),
                ReconnectAfterUnansweredTimeouts = reconnectAfter,
            });
            var completions = new Dictionary<Srb, int>();
            var store = dev.Host.Store;
            string backendState = dev.Backend.BackendPath + "/state";
            string[] junk = { "1", "2", "3", "4", "5", "6", "0", "7", "99", "-1", "abc", "" };
            var log = new System.Text.StringBuilder();
            for (int step = 0; step < steps; step++)
            {
                int action = random.Next(9);
                log.Append(action).Append(' ');
                switch (action)
                {
                    case 0:
                    case 1:
                    case 2:
                    {
                        var srb = new Srb();
                        completions[srb] = 0;
                        srb.Completed = s => completions[s]++;
                        int blocks = 1 + random.Next(random.Chance(0.8) ? 8 : 100);
                        int align = random.Chance(0.5) ? 0 : random.Next(1, 4096);
                        ulong address = dev.AllocateGuestBuffer(blocks * 512 + 4096) + (ulong)align;
                        ulong lba = (ulong)random.Next(2048 - blocks);
                        switch (random.Next(3))
                        {
                            case 0: srb.Prepare(CdbEncoder.Transfer(ScsiOp.Write10, lba, (uint)blocks), address, blocks * 512, DataDirection.Out); break;
                            case 1: srb.Prepare(CdbEncoder.Transfer(ScsiOp.Read10, lba, (uint)blocks), address, blocks * 512, DataDirection.In); break;
                            default: srb.Prepare(CdbEncoder.Transfer(ScsiOp.SynchronizeCache10, 0, 0), 0, 0, DataDirection.None); break;
                        }

                        dev.Submit(srb);
                        break;
                    }

                    case 3: dev.Backend.Disconnect(); break;
                    case 4: dev.Backend.Reconnect(); break;
                    case 5:
                        // Flapping seen only through XenStore: the watch reads whatever is there when it fires.
                        for (int i = 1 + random.Next(3); i > 0; i--) store.Write(backendState, junk[random.Next(junk.Length)]);
                        break;
                    case 6: dev.Reset(); break;
                    default:
                    {
                        long until = dev.Host.Scheduler.Now + random.NextInt64(0, 3 * TimeSpan.TicksPerSecond);
                        dev.Host.Scheduler.RunUntil(until);
                        break;
                    }
                }
            }

            // Settle: the backend comes back for good (Disconnect first so its own state key is written
            // again over any junk); the frontend finishes (or times out) everything. SRBs wait while no
            // backend is there — a migration looks like that — so only a returning backend completes them.
            dev.Backend.Disconnect();
            // Let the frontend see it go. A backend already Closed does not write Closed again (nor does
            // Linux's xenbus_switch_state), and junk may sit in its key, so write what it would say. A restart
            // the frontend never sees looks like a resize to it (finding F4 in docs/RELIABILITY.md), which the
            // steps above exercise; settling must not depend on it.
            // With the forced-reconnect policy on, the frontend must find its own way out instead.
            if (reconnectAfter == 0) store.Write(backendState, (int)XenbusState.Closed);
            dev.RunUntilIdle();
            dev.Backend.Reconnect();
            dev.RunUntilIdle();
            foreach (var pair in completions)
            {
                Assert.True(pair.Key.IsComplete, "an SRB was lost (seed " + seed + "): " + log + "| frontend " + dev.State + " xb " + dev.FrontendXenbusState + " backend " + dev.BackendXenbusState + " pending " + dev.Frontend.PendingSrbs + " in flight " + dev.Frontend.RequestsInFlight + " cdb " + pair.Key.Cdb[0] + " gen " + dev.Frontend.Generation + " now " + dev.Now);
                Assert.Equal(1, pair.Value);
                Assert.Equal(0, pair.Key.ExtraCompletionAttempts);
            }

            var state = dev.State;
            var o = new Outcome { Srbs = completions.Count, Ready = state == FrontendState.Ready, Reconnects = dev.GetStatistics().Reconnects, ForcedReconnects = dev.GetStatistics().ForcedReconnects };
            foreach (var pair in completions) if (pair.Key.SrbStatus.Base() == SrbStatus.Success) o.Ok++;
            if (state == FrontendState.Ready)
            {
                var data = new byte[3 * 512];
                random.NextBytes(data);
                var w = dev.Execute(CdbEncoder.Transfer(ScsiOp.Write10, 100, 3), data, bufferAlignment: 0);
                // A restart the frontend never saw costs at most the policy's number of timeouts.
                for (int retry = 0; retry < reconnectAfter && w.SrbStatus.Base() == SrbStatus.Timeout; retry++)
                    w = dev.Execute(CdbEncoder.Transfer(ScsiOp.Write10, 100, 3), data, bufferAlignment: 0);
                // Whatever happens, the SRB completes; it must succeed once the device settled Ready.
                Assert.NotEqual(SrbStatus.Pending, w.SrbStatus);
                if (requireSettledIo)
                    Assert.True(w.IsSuccess, "after settling, a write failed: " + w + " (seed " + seed + "): " + log + "| gen " + dev.Frontend.Generation + " xb " + dev.FrontendXenbusState + " backend " + dev.BackendXenbusState + " connected " + dev.Backend.IsConnected + " halted " + dev.Backend.IsRingHalted + " consumed " + dev.Backend.Statistics.RequestsConsumed + " ring " + dev.GetRing()!.ReqProd + "/" + dev.GetRing()!.RspProd);
                if (w.IsSuccess)
                {
                    var r = dev.Execute(CdbEncoder.Transfer(ScsiOp.Read10, 100, 3), dataInLength: data.Length);
                    Assert.NotEqual(SrbStatus.Pending, r.SrbStatus);
                    if (r.IsSuccess) Assert.Equal(data, r.Data);
                }
                else
                {
                    o.SettledIoFailed = true;
                }
            }
            else
            {
                Assert.True(state == FrontendState.Broken || state == FrontendState.LayoutMismatch, "settled in " + state + " (seed " + seed + ")");
                Assert.False(string.IsNullOrEmpty(dev.Frontend.FailureReason));
            }

            return o;
        }
    }
}

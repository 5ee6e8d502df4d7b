using System;
using System.Collections.Generic;
using XenVbd.Backend;
using XenVbd.Device;
using XenVbd.Frontend;
using XenVbd.Reliability;
using XenVbd.Scsi;
using XenVbd.Sim;
using XenVbd.Tests.Scsi;
using XenVbd.Tests.Support;
using XenVbd.Xen;

namespace XenVbd.Tests.Reliability
{
    /// <summary>
    /// The opt-in forced reconnect (<see cref="VbdDeviceOptions.ReconnectAfterUnansweredTimeouts"/>) against the real
    /// blkback: findings F4 (a backend restart the frontend never saw) and F3 (bounce memory pinned by a lost
    /// response), every SRB completed exactly once, and no reuse of pages a backend keeps mapped (XSA-396).
    /// </summary>
    public class ForcedReconnectTests
    {
        private const int DiskBytes = 256 << 10;

        private static VbdDevice Create(int reconnectAfter, BounceStrategyKind bounce = BounceStrategyKind.PerSrb, int queueDepth = 64, FrontendAbiMode mode = FrontendAbiMode.Probe)
        {
            var dev = VbdDevice.Create(new VbdDeviceOptions
            {
                Personality = FrontendPersonality.Hardened,
                SizeBytes = DiskBytes,
                Bounce = bounce,
                QueueDepth = queueDepth,
                FrontendMode = mode,
                RequestTimeout = TimeSpan.FromSeconds(2),
                GuestBufferBytes = 1 << 20,
                ReconnectAfterUnansweredTimeouts = reconnectAfter,
            });
            dev.Host.Trace.Enabled = true;
            return dev;
        }

        /// <summary>
        /// F4, as the XSA-350 property found it: the backend restarts and junk lands in its state key before the
        /// frontend's watch fires, so the watch reads junk and then Connected, and the frontend takes the restart for a resize.
        /// An SRB submitted while the backend was down notified nobody, so the restarted backend (attached at
        /// the ring's responses) is never woken: the frontend's req_event is stale and it notifies no more.
        /// Returns that SRB, still pending.
        /// </summary>
        private static Srb HideABackendRestart(VbdDevice dev)
        {
            dev.Backend.Disconnect();
            // Junk the frontend's state machine ignores (a value it read as Unknown would count as a close).
            dev.Host.Store.Write(dev.Backend.BackendPath + "/state", "99");
            var during = new Srb();
            ulong buffer = dev.AllocateGuestBuffer(4096);
            during.Prepare(CdbEncoder.Transfer(ScsiOp.Write10, 200, 1), buffer, 512, DataDirection.Out);
            dev.Submit(during);
            dev.Host.Scheduler.RunUntil(dev.Host.Scheduler.Now + TimeSpan.TicksPerMillisecond);
            dev.Backend.Reconnect();
            dev.Host.Scheduler.RunUntil(dev.Host.Scheduler.Now + TimeSpan.TicksPerMillisecond);
            Assert.Equal(FrontendState.Ready, dev.State);
            Assert.Equal(XenbusState.Connected, dev.BackendXenbusState);
            Assert.Equal(1, dev.Frontend.Generation);
            Assert.False(during.IsComplete);
            return during;
        }

        private static byte[] Pattern(int bytes, byte seed)
        {
            var data = new byte[bytes];
            for (int i = 0; i < bytes; i++) data[i] = (byte)(seed + i * 7);
            return data;
        }

        private static byte[] Disk(VbdDevice dev, long offset, int bytes)
        {
            var disk = new byte[bytes];
            dev.Storage.Read(offset, disk);
            return disk;
        }

        [Fact]
        public void F4_with_the_policy_off_a_hidden_backend_restart_leaves_every_srb_timing_out()
        {
            using var dev = Create(reconnectAfter: 0);
            var during = HideABackendRestart(dev);
            Assert.True(dev.RunUntilComplete(during));
            Assert.Equal(SrbStatus.Timeout, during.SrbStatus.Base());
            for (int i = 0; i < 5; i++)
            {
                var r = dev.Execute(CdbEncoder.Transfer(ScsiOp.Write10, (ulong)i, 1), Pattern(512, (byte)i));
                Assert.Equal(SrbStatus.Timeout, r.SrbStatus.Base());
            }

            Assert.Equal(0, dev.GetStatistics().ForcedReconnects);
            Assert.Equal(6, dev.GetStatistics().Timeouts);
            Assert.Equal(1, dev.Frontend.Generation);
            Assert.Equal(XenbusState.Connected, dev.FrontendXenbusState);
        }

        [Theory]
        [InlineData(1, FrontendAbiMode.Probe)]
        [InlineData(3, FrontendAbiMode.Probe)]
        [InlineData(2, FrontendAbiMode.Announce)]
        public void F4_with_reconnect_after_timeouts_a_hidden_backend_restart_recovers_after_that_many_timeouts(int n, FrontendAbiMode mode)
        {
            using var dev = Create(reconnectAfter: n, mode: mode);
            long probes = dev.GetStatistics().Probes;
            var during = HideABackendRestart(dev);
            Assert.True(dev.RunUntilComplete(during));
            Assert.Equal(SrbStatus.Timeout, during.SrbStatus.Base());
            Assert.Equal(n == 1 ? 1 : 0, dev.GetStatistics().ForcedReconnects);
            for (int i = 1; i < n; i++)
            {
                var lost = dev.Execute(CdbEncoder.Transfer(ScsiOp.Write10, (ulong)i, 1), Pattern(512, 1));
                Assert.Equal(SrbStatus.Timeout, lost.SrbStatus.Base());
                Assert.Equal(i + 1 == n ? 1 : 0, dev.GetStatistics().ForcedReconnects);
            }

            var data = Pattern(4096, 0x42);
            var write = dev.Execute(CdbEncoder.Transfer(ScsiOp.Write10, 64, 8), data, bufferAlignment: 5);
            Assert.True(write.IsSuccess, write + " " + dev.State + " " + dev.Frontend.FailureReason);
            Assert.Equal(data, Disk(dev, 64 * 512, data.Length));
            var read = dev.Execute(CdbEncoder.Transfer(ScsiOp.Read10, 64, 8), dataInLength: data.Length);
            Assert.Equal(data, read.Data);

            var stats = dev.GetStatistics();
            Assert.Equal(1, stats.ForcedReconnects);
            Assert.Equal(n, stats.Timeouts);
            Assert.Equal(1, stats.Reconnects);
            Assert.Equal(2, dev.Frontend.Generation);
            Assert.Equal(mode == FrontendAbiMode.Probe ? probes + 1 : probes, stats.Probes);
            Assert.False(dev.Frontend.IsReconnecting);
            Assert.Equal(XenbusState.Connected, dev.FrontendXenbusState);
            Assert.Equal(XenbusState.Connected, dev.BackendXenbusState);

            // The trace shows the forced close (d = -1) before the new connection, and the XenBus round trip.
            var trace = dev.Host.Trace.Snapshot();
            int forced = -1, connected = -1;
            for (int i = 0; i < trace.Count; i++)
            {
                if (trace[i].Kind != TraceKind.Reconnect || trace[i].Device != dev.Options.DeviceId) continue;
                if (trace[i].D == -1) forced = i;
                else if (trace[i].A == 2) connected = i;
            }

            Assert.True(forced >= 0 && connected > forced, "forced " + forced + " connected " + connected);
            Assert.Equal(1UL, trace[forced].B);
            Assert.Equal(n, trace[forced].C);
        }

        /// <summary>A response in between restarts the count: only timeouts in a row with nothing answered force a reconnect.</summary>
        [Fact]
        public void Any_response_between_timeouts_restarts_the_count()
        {
            using var dev = Create(reconnectAfter: 2);
            int n = 0;
            dev.BackendInterceptor = new LambdaInterceptor((ref BackendRequestPlan p) => p.DropResponse = n++ % 2 == 0);
            for (int i = 0; i < 6; i++)
            {
                var r = dev.Execute(CdbEncoder.Transfer(ScsiOp.Write10, (ulong)i, 1), Pattern(512, 3));
                Assert.Equal(i % 2 == 0 ? SrbStatus.Timeout : SrbStatus.Success, r.SrbStatus.Base());
            }

            Assert.Equal(3, dev.GetStatistics().Timeouts);
            Assert.Equal(0, dev.GetStatistics().ForcedReconnects);

            // Two lost in a row do.
            n = 0;
            dev.BackendInterceptor = new LambdaInterceptor((ref BackendRequestPlan p) => p.DropResponse = n++ < 2);
            Assert.Equal(SrbStatus.Timeout, dev.Execute(CdbEncoder.Transfer(ScsiOp.Write10, 10, 1), Pattern(512, 4)).SrbStatus.Base());
            Assert.Equal(SrbStatus.Timeout, dev.Execute(CdbEncoder.Transfer(ScsiOp.Write10, 11, 1), Pattern(512, 5)).SrbStatus.Base());
            Assert.Equal(1, dev.GetStatistics().ForcedReconnects);
            Assert.True(dev.Execute(CdbEncoder.Transfer(ScsiOp.Write10, 12, 1), Pattern(512, 6)).IsSuccess);
        }

        /// <summary>
        /// F3: a lost response pins the device's one bounce buffer. Off, bounced SRBs time out waiting until the
        /// backend reconnects by itself; on, once the buffer has been pinned for N request timeouts while an SRB
        /// waits for it, the frontend reconnects, the buffer is free and the waiting SRB goes out and succeeds.
        /// </summary>
        [Theory]
        [InlineData(0)]
        [InlineData(2)]
        public void F3_a_forced_reconnect_frees_device_bounce_memory_a_lost_response_pins(int n)
        {
            using var dev = Create(reconnectAfter: n, bounce: BounceStrategyKind.DeviceBuffer);
            int seen = 0;
            dev.BackendInterceptor = new LambdaInterceptor((ref BackendRequestPlan p) => p.DropResponse = seen++ == 0);
            Assert.Equal(SrbStatus.Timeout, dev.Execute(CdbEncoder.Transfer(ScsiOp.Write10, 0, 1), Pattern(512, 9), bufferAlignment: 3).SrbStatus.Base());
            // Aligned I/O never needs the buffer and is answered: the backend is alive, only the one response is lost.
            Assert.True(dev.Execute(CdbEncoder.Transfer(ScsiOp.Write10, 30, 1), Pattern(512, 10)).IsSuccess);

            var outcomes = new List<SrbStatus>();
            var data = Pattern(1536, 0x5A);
            for (int i = 0; i < 4; i++)
            {
                var r = dev.Execute(CdbEncoder.Transfer(ScsiOp.Write10, (ulong)(8 + 4 * i), 3), data, bufferAlignment: 3);
                outcomes.Add(r.SrbStatus.Base());
                if (r.IsSuccess) Assert.Equal(data, Disk(dev, (8 + 4 * i) * 512, data.Length));
            }

            var stats = dev.GetStatistics();
            Assert.Equal(1, stats.Timeouts);
            if (n == 0)
            {
                Assert.All(outcomes, s => Assert.Equal(SrbStatus.Timeout, s));
                Assert.Equal(4, stats.BounceWaitTimeouts);
                Assert.Equal(0, stats.ForcedReconnects);
                return;
            }

            // The first waiter times out after one request timeout (F3's bound); the second is still waiting
            // when the buffer has been pinned for two, and the reconnect lets it through.
            Assert.Equal(new[] { SrbStatus.Timeout, SrbStatus.Success, SrbStatus.Success, SrbStatus.Success }, outcomes);
            Assert.Equal(1, stats.BounceWaitTimeouts);
            Assert.Equal(1, stats.ForcedReconnects);
            Assert.Equal(2, dev.Frontend.Generation);
            var forced = ForcedCloseEvent(dev);
            Assert.Equal(2UL, forced.B);
            Assert.True(forced.C >= 2 * TimeSpan.FromSeconds(2).Ticks);
        }

        private static TraceEvent ForcedCloseEvent(VbdDevice dev)
        {
            foreach (var e in dev.Host.Trace.Snapshot())
                if (e.Kind == TraceKind.Reconnect && e.D == -1) return e;
            throw new Xunit.Sdk.XunitException("no forced close in the trace");
        }

        /// <summary>
        /// Many SRBs of every kind in flight and queued (direct, bounced, multi-pass, flushes) across a hidden
        /// backend restart and the forced reconnect it leads to: each completes exactly once, and every write
        /// reported successful is on the disk.
        /// </summary>
        [Theory]
        [InlineData(BounceStrategyKind.PerSrb, 1UL)]
        [InlineData(BounceStrategyKind.DeviceBuffer, 2UL)]
        [InlineData(BounceStrategyKind.SegmentPool, 3UL)]
        public void A_forced_reconnect_completes_every_srb_exactly_once_and_loses_no_acknowledged_write(BounceStrategyKind bounce, ulong seed)
        {
            using var dev = Create(reconnectAfter: 1, bounce: bounce, queueDepth: 8);
            var random = new SimRandom(seed);
            var completions = new Dictionary<Srb, int>();
            var writes = new List<(Srb Srb, ulong Lba, byte[] Data)>();

            void SubmitMany(int count)
            {
                for (int i = 0; i < count; i++)
                {
                    var srb = new Srb();
                    completions[srb] = 0;
                    srb.Completed = s => completions[s]++;
                    int blocks = 1 + random.Next(random.Chance(0.7) ? 8 : 40);
                    int align = random.Chance(0.5) ? 0 : random.Next(1, 512);
                    ulong address = dev.AllocateGuestBuffer(blocks * 512 + 4096) + (ulong)align;
                    ulong lba = (ulong)(writes.Count * 48 + completions.Count % 2);
                    switch (random.Next(3))
                    {
                        case 0:
                        {
                            var data = new byte[blocks * 512];
                            random.NextBytes(data);
                            data.CopyTo(dev.GuestBytes(address, data.Length));
                            lba = (ulong)writes.Count * 48;
                            srb.Prepare(CdbEncoder.Transfer(ScsiOp.Write10, lba, (uint)blocks), address, data.Length, DataDirection.Out);
                            writes.Add((srb, lba, data));
                            break;
                        }

                        case 1:
                            srb.Prepare(CdbEncoder.Transfer(ScsiOp.Read10, (ulong)random.Next(400), (uint)blocks), address, blocks * 512, DataDirection.In);
                            break;
                        default:
                            srb.Prepare(CdbEncoder.Transfer(ScsiOp.SynchronizeCache10, 0, 0), 0, 0, DataDirection.None);
                            break;
                    }

                    dev.Submit(srb);
                }
            }

            var during = HideABackendRestart(dev);
            completions[during] = 0;
            during.Completed = s => completions[s]++;
            SubmitMany(12);
            // Let the first timeout pass and the close start; more arrive while the frontend reconnects.
            dev.Host.Scheduler.RunUntil(dev.Host.Scheduler.Now + TimeSpan.FromSeconds(2.6).Ticks);
            SubmitMany(12);
            dev.RunUntilIdle();

            foreach (var pair in completions)
            {
                Assert.True(pair.Key.IsComplete, "an SRB was lost");
                Assert.Equal(1, pair.Value);
                Assert.Equal(0, pair.Key.ExtraCompletionAttempts);
            }

            int ok = 0;
            foreach (var (srb, lba, data) in writes)
            {
                if (srb.SrbStatus.Base() != SrbStatus.Success) continue;
                ok++;
                Assert.Equal(data, Disk(dev, (long)lba * 512, data.Length));
            }

            var stats = dev.GetStatistics();
            Assert.Equal(1, stats.ForcedReconnects);
            Assert.Equal(FrontendState.Ready, dev.State);
            Assert.True(ok > 0, "no write succeeded after the reconnect");
            Assert.Equal(0, dev.Frontend.PendingSrbs);
            Assert.Equal(0, dev.Frontend.QuarantinedRequestIds);
        }

        /// <summary>
        /// XSA-396 across a forced reconnect: the backend loses the response to a bounced write and keeps its
        /// pages mapped even after it disconnected. The reconnect does not hand those pages to any later SRB
        /// (their bytes stay the first SRB's), and — since another reconnect would not free them — it does not
        /// repeat; bounced I/O on other memory works (DeviceBuffer: waits time out, F3) until the backend lets go.
        /// </summary>
        [Theory]
        [InlineData(BounceStrategyKind.PerSrb)]
        [InlineData(BounceStrategyKind.DeviceBuffer)]
        [InlineData(BounceStrategyKind.SegmentPool)]
        public void A_backend_that_keeps_grants_mapped_across_a_forced_reconnect_gets_no_page_reuse(BounceStrategyKind bounce)
        {
            using var dev = Create(reconnectAfter: 1, bounce: bounce, queueDepth: 4);
            var grants = dev.Guest.Grants;
            var kept = new List<(uint Gref, MemoryRegion Page)>();
            bool first = true;
            dev.BackendInterceptor = new LambdaInterceptor((ref BackendRequestPlan p) =>
            {
                if (!first) return;
                first = false;
                p.DropResponse = true;
                foreach (uint g in Dom0Grants.Unmapped(grants))
                {
                    Assert.Equal(GrantStatus.Okay, grants.Map(g, 0, writable: false, out var page));
                    kept.Add((g, page));
                }
            });

            var mine = new byte[512];
            mine.AsSpan().Fill(0x11);
            Assert.Equal(SrbStatus.Timeout, dev.Execute(CdbEncoder.Transfer(ScsiOp.Write10, 0, 1), mine, bufferAlignment: 3).SrbStatus.Base());
            Assert.NotEmpty(kept);
            dev.RunUntilIdle();
            Assert.Equal(FrontendState.Ready, dev.State);
            Assert.Equal(1, dev.GetStatistics().ForcedReconnects);
            Assert.Equal(2, dev.Frontend.Generation);
            Assert.True(dev.Frontend.QuarantinedRequestIds > 0);

            for (int i = 0; i < 6; i++)
            {
                var other = new byte[512];
                other.AsSpan().Fill((byte)(0x20 + i));
                var r = dev.Execute(CdbEncoder.Transfer(ScsiOp.Write10, (ulong)(8 + i), 1), other, bufferAlignment: 3);
                if (bounce == BounceStrategyKind.DeviceBuffer) Assert.Equal(SrbStatus.Timeout, r.SrbStatus.Base());
                else Assert.True(r.IsSuccess, r.ToString());
                foreach (var (_, page) in kept) Assert.Equal(512, Count(page.Span, 0x11));
            }

            Assert.Equal(1, dev.GetStatistics().ForcedReconnects);
            Assert.True(dev.Execute(CdbEncoder.Transfer(ScsiOp.Write10, 30, 1), new byte[512]).IsSuccess);

            foreach (var (g, _) in kept) grants.Unmap(g);
            var last = Pattern(512, 0x77);
            Assert.True(dev.Execute(CdbEncoder.Transfer(ScsiOp.Write10, 40, 1), last, bufferAlignment: 3).IsSuccess);
            Assert.Equal(0, dev.Frontend.QuarantinedRequestIds);
            Assert.Equal(last, Disk(dev, 40 * 512, 512));
        }

        private static int Count(ReadOnlySpan<byte> bytes, byte value)
        {
            int n = 0;
            foreach (var b in bytes) if (b == value) n++;
            return n;
        }

        [Theory]
        [InlineData(-1)]
        [InlineData(101)]
        public void Reconnect_after_timeouts_outside_0_to_100_is_rejected_by_name(int value)
        {
            var ex = Assert.Throws<ArgumentException>(() => VbdDevice.Create(new VbdDeviceOptions { SizeBytes = DiskBytes, ReconnectAfterUnansweredTimeouts = value }));
            Assert.Equal(nameof(VbdDeviceOptions.ReconnectAfterUnansweredTimeouts), ex.ParamName);
            var fo = new FrontendOptions { ReconnectAfterUnansweredTimeouts = value };
            Assert.Equal(nameof(FrontendOptions.ReconnectAfterUnansweredTimeouts), Assert.Throws<ArgumentException>(fo.Validate).ParamName);
        }
    }
}

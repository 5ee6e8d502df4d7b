using System;
using System.Collections.Generic;
using System.Linq;
using XenVbd.Device;
using XenVbd.Frontend;
using XenVbd.Scsi;
using XenVbd.Sim;
using XenVbd.Tests.Device;
using XenVbd.Xen;

namespace XenVbd.Tests.Frontend
{
    /// <summary>
    /// The frontend's multi-queue (Linux blkfront's negotiate_mq and talk_to_blkback; the Xen Project driver's
    /// FrontendSetNumQueues and RingStoreWrite) against the blkback model: how many queues a connection uses, the keys each
    /// side writes and reads, which queue an SRB goes to, each queue's ring on its own, and a reconnect with I/O on several.
    /// </summary>
    public class MultiQueueFrontendTests
    {
        private const long DiskBytes = 8 << 20;

        private static VbdDevice Create(int frontendQueues, int backendQueues, FrontendPersonality personality = FrontendPersonality.LinuxBlkfront, int queueDepth = 64) =>
            VbdDevice.Create(new VbdDeviceOptions
            {
                SizeBytes = DiskBytes,
                Personality = personality,
                Queues = frontendQueues,
                BackendMaxQueues = backendQueues,
                QueueDepth = queueDepth,
            });

        private static string? Key(VbdDevice dev, string relative) => dev.Host.Store.Read(dev.Frontend.FrontendPath + "/" + relative);

        [Theory]
        [InlineData(4, 1, 1)]
        [InlineData(4, 2, 2)]
        [InlineData(4, 8, 4)]
        [InlineData(1, 8, 1)]
        [InlineData(8, 8, 8)]
        public void Blkfront_uses_the_smaller_maximum_and_writes_per_queue_keys_only_for_several(int frontend, int backend, int expected)
        {
            using var dev = Create(frontend, backend);
            Assert.Equal(FrontendState.Ready, dev.Frontend.State);
            Assert.Equal(expected, dev.Frontend.Queues);
            Assert.Equal(expected, dev.Backend.QueueCount);
            Assert.Equal(backend.ToString(), dev.Host.Store.Read(dev.Frontend.BackendPath + "/" + BlkifKeys.MultiQueueMaxQueues));
            if (expected == 1)
            {
                // talk_to_blkback: one ring's keys at the device's own directory, and no multi-queue-num-queues.
                Assert.Null(Key(dev, BlkifKeys.MultiQueueNumQueues));
                Assert.NotNull(Key(dev, BlkifKeys.EventChannel));
                Assert.Null(Key(dev, BlkifKeys.QueueDirectory(0) + "/" + BlkifKeys.EventChannel));
            }
            else
            {
                Assert.Equal(expected.ToString(), Key(dev, BlkifKeys.MultiQueueNumQueues));
                Assert.Null(Key(dev, BlkifKeys.EventChannel));
                Assert.Null(Key(dev, BlkifKeys.RingRef));
                var channels = new HashSet<string>();
                for (int q = 0; q < expected; q++)
                {
                    Assert.NotNull(Key(dev, BlkifKeys.QueueDirectory(q) + "/" + BlkifKeys.RingRef));
                    Assert.True(channels.Add(Key(dev, BlkifKeys.QueueDirectory(q) + "/" + BlkifKeys.EventChannel)!), "queue " + q + " shares an event channel");
                }

                Assert.Null(Key(dev, BlkifKeys.QueueDirectory(expected) + "/" + BlkifKeys.RingRef));
            }

            Assert.Equal(expected, dev.GetRings().Count);
        }

        [Fact]
        public void XenProject_writes_the_queue_count_even_for_one()
        {
            using var one = Create(1, 4, FrontendPersonality.XenProject);
            Assert.Equal("1", Key(one, BlkifKeys.MultiQueueNumQueues));
            Assert.NotNull(Key(one, BlkifKeys.RingRef));
            using var two = Create(2, 4, FrontendPersonality.XenProject);
            Assert.Equal("2", Key(two, BlkifKeys.MultiQueueNumQueues));
            Assert.Equal(2, two.Backend.QueueCount);
            Assert.NotNull(Key(two, BlkifKeys.QueueDirectory(1) + "/" + BlkifKeys.RingRef));
        }

        [Fact]
        public void A_personality_without_multi_queue_is_refused_more_than_one()
        {
            var e = Assert.Throws<ArgumentException>(() => Create(2, 4, FrontendPersonality.Gplpv2008b));
            Assert.Contains("no multi-queue", e.Message);
            Assert.Equal("Queues", e.ParamName);
            Assert.Throws<ArgumentException>(() => Create(0, 4));
            Assert.Throws<ArgumentException>(() => Create(FrontendOptions.MaxQueuesLimit + 1, 4));
        }

        [Fact]
        public void A_backend_that_advertises_more_than_it_serves_fails_the_connect_with_Linux_message()
        {
            // The frontend may use 8; the backend serves 2 but its key (rewritten) says 8: blkfront asks for 8 and
            // blkback's connect_ring refuses with its own words.
            using var dev = Create(8, 2);
            Assert.Equal(2, dev.Frontend.Queues);
            dev.Frontend.Suspend();
            dev.Backend.Disconnect();
            dev.Backend.Reconnect();
            dev.Host.Store.Write(dev.Frontend.BackendPath + "/" + BlkifKeys.MultiQueueMaxQueues, 8);
            dev.Frontend.Resume();
            dev.Host.Scheduler.RunUntil(dev.Host.Scheduler.Now + TimeSpan.TicksPerSecond);
            Assert.Equal("8", Key(dev, BlkifKeys.MultiQueueNumQueues));
            Assert.Equal("guest requested 8 queues, exceeding the maximum of 2.", dev.Backend.ConnectError);
        }

        [Fact]
        public void Srbs_go_to_the_queue_of_the_vcpu_that_submits_them_round_robin()
        {
            using var dev = Create(4, 4);
            dev.Host.Trace.Enabled = true;
            var buffer = dev.AllocateGuestBuffer(4096 * 64);
            var srbs = new Srb[64];
            for (int i = 0; i < srbs.Length; i++)
            {
                srbs[i] = new Srb();
                srbs[i].Prepare(Cdb.Write10((uint)(i * 8), 8), buffer + (ulong)(i * 4096), 4096, DataDirection.Out);
                dev.Submit(srbs[i]);
            }

            for (int i = 0; i < srbs.Length; i++) Assert.True(dev.RunUntilComplete(srbs[i]) && srbs[i].SrbStatus == SrbStatus.Success);
            var rings = dev.GetRings();
            Assert.Equal(new[] { 0, 1, 2, 3 }, rings.Select(r => r.Queue).ToArray());
            // 64 one-request SRBs from four vCPUs in turn: 16 requests on each queue, each answered on its own ring.
            foreach (var r in rings)
            {
                Assert.Equal(16, r.Requests);
                Assert.Equal(16, r.Responses);
                Assert.True(r.Interrupts > 0, "queue " + r.Queue + " got no event");
            }

            // Each request's trace record names its queue (the operation word's upper half).
            var pushed = dev.Host.Trace.Snapshot().Where(t => t.Kind == TraceKind.RequestPushed).Select(t => t.D >> 16).ToArray();
            Assert.Equal(64, pushed.Length);
            for (int q = 0; q < 4; q++) Assert.Equal(16, pushed.Count(x => x == q));
            Assert.Equal(4, dev.Backend.QueueCount);
        }

        [Fact]
        public void Each_queue_fills_its_own_ring_and_only_its_own_srbs_wait()
        {
            // Ring order 0 (32 slots a ring), 4 queues, 256 SRBs held by a backend that does not answer yet: each queue's
            // ring is full with 32 requests and 32 more of its own SRBs wait for it; no queue borrows another's slots.
            using var dev = Create(4, 4, queueDepth: 256);
            var buffer = dev.AllocateGuestBuffer(4096 * 256);
            dev.Backend.Disconnect();
            dev.Backend.Reconnect();
            dev.Host.Scheduler.RunUntil(dev.Host.Scheduler.Now + TimeSpan.TicksPerSecond);
            Assert.Equal(FrontendState.Ready, dev.Frontend.State);
            var srbs = new Srb[256];
            for (int i = 0; i < srbs.Length; i++)
            {
                srbs[i] = new Srb();
                srbs[i].Prepare(Cdb.Read10((uint)(i * 8), 8), buffer + (ulong)(i * 4096), 4096, DataDirection.In);
            }

            // Submit everything before the scheduler runs: no answer can come back in between.
            foreach (var s in srbs) dev.Frontend.Submit(s);
            var rings = dev.GetRings();
            Assert.Equal(4, rings.Count);
            foreach (var r in rings)
            {
                Assert.Equal(r.Size, r.Outstanding);
                Assert.Equal(64 - r.Size, r.QueuedSrbs);
                Assert.True(r.RingFullWaits > 0);
            }

            dev.RunUntilIdle();
            Assert.All(srbs, s => Assert.Equal(SrbStatus.Success, s.SrbStatus));
        }

        [Fact]
        public void A_backend_restart_with_io_on_every_queue_loses_nothing()
        {
            using var dev = Create(4, 4, queueDepth: 128);
            var data = Cdb.Pattern(128 * 4096, 5);
            var buffer = dev.AllocateGuestBuffer(data.Length);
            data.CopyTo(dev.GuestBytes(buffer, data.Length));
            var srbs = new Srb[128];
            for (int i = 0; i < srbs.Length; i++)
            {
                srbs[i] = new Srb();
                srbs[i].Prepare(Cdb.Write10((uint)(i * 8), 8), buffer + (ulong)(i * 4096), 4096, DataDirection.Out);
                dev.Frontend.Submit(srbs[i]);
            }

            Assert.True(dev.GetRings().All(r => r.Outstanding > 0));
            // The backend goes away with requests on all four rings, and comes back offering two queues only.
            long requeues = dev.Frontend.Statistics.Requeues;
            dev.Backend.Disconnect();
            dev.Host.Scheduler.RunUntil(dev.Host.Scheduler.Now + TimeSpan.TicksPerMillisecond);
            Assert.Equal(FrontendState.Disconnected, dev.Frontend.State);
            Assert.True(dev.Frontend.Statistics.Requeues > requeues, "nothing was taken back at the disconnect");
            Assert.Empty(dev.GetRings());
            dev.Backend.Reconnect();
            dev.Host.Store.Write(dev.Frontend.BackendPath + "/" + BlkifKeys.MultiQueueMaxQueues, 2);
            dev.RunUntilIdle();
            Assert.All(srbs, s => Assert.Equal(SrbStatus.Success, s.SrbStatus));
            Assert.Equal(2, dev.Frontend.Generation);
            Assert.Equal(2, dev.Frontend.Queues);
            Assert.Equal(2, dev.Backend.QueueCount);
            var back = dev.Execute(Cdb.Read10(0, 128 * 8), dataInLength: data.Length);
            Assert.True(back.IsSuccess);
            Assert.Equal(data, back.Data);
        }
    }
}

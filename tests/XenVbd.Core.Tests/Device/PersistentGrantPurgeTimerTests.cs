using System;
using XenVbd.Device;
using XenVbd.Frontend;
using XenVbd.Scsi;
using XenVbd.Sim;

namespace XenVbd.Tests.Device
{
    /// <summary>
    /// The idle purges of persistent grants are timers on the virtual clock: blkback's ring thread wakes at least every
    /// LRU_INTERVAL (xen_blkif_schedule) and blkfront's delayed work runs every 10 s (blkfront_delay_work), so grants
    /// expire on an idle device as on a real one. The timers are background events: running until idle still ends.
    /// </summary>
    public class PersistentGrantPurgeTimerTests
    {
        private sealed class Counter : ISimEventHandler
        {
            public int Runs;

            public void OnSimEvent(int kind, long argument)
            {
                Runs++;
                if (kind == 1) Scheduler!.ScheduleBackground(10, this, 1);
            }

            public Scheduler? Scheduler;
        }

        [Fact]
        public void A_background_timer_that_rearms_itself_does_not_keep_run_until_idle_going()
        {
            var s = new Scheduler();
            var c = new Counter { Scheduler = s };
            s.ScheduleBackground(10, c, 1);
            s.Schedule(35, c, 2);
            Assert.Equal(1, s.Pending);
            Assert.Equal(1, s.BackgroundPending);
            s.RunUntilIdle();
            // The work at 35 ran, and the timer at 10, 20 and 30 before it; nothing after.
            Assert.Equal(35, s.Now);
            Assert.Equal(4, c.Runs);
            Assert.Equal(0, s.Pending);
            Assert.False(s.RunNext());
            // Moving the clock on runs the timer as any event.
            s.RunUntil(100);
            Assert.Equal(4 + 7, c.Runs);
        }

        [Fact]
        public void An_idle_device_purges_its_grants_on_time_at_both_ends_without_any_io()
        {
            using var dev = VbdDevice.Create(new VbdDeviceOptions { SizeBytes = 8 << 20, Personality = FrontendPersonality.LinuxBlkfront });
            var data = Cdb.Pattern(256 * 1024, 3);
            Assert.True(dev.Execute(Cdb.Write10(0, 512), data).IsSuccess);
            dev.RunUntilIdle();
            int kept = dev.Backend.PersistentGrantCount;
            Assert.True(kept >= 64, "kept " + kept);
            long start = dev.Host.Scheduler.Now;
            // Running until idle does not wait for the timers: the clock does not jump to the purge.
            Assert.Equal(0, dev.Host.Scheduler.Pending);
            Assert.True(dev.Host.Scheduler.BackgroundPending >= 2, "the two purge timers are armed");

            // 61 s with no I/O at all: the ring thread's idle wake purges every grant unused for 60 s, and the frontend's
            // next 10 s pass ends the grants the backend let go of.
            dev.Host.Scheduler.RunUntil(start + 61 * TimeSpan.TicksPerSecond);
            Assert.Equal(0, dev.Backend.PersistentGrantCount);
            Assert.True(dev.Backend.Statistics.PersistentGrantsPurged >= kept);
            long frontendBefore = dev.GetStatistics().PersistentGrantsPurged;
            dev.Host.Scheduler.RunUntil(start + 71 * TimeSpan.TicksPerSecond);
            Assert.True(dev.GetStatistics().PersistentGrantsPurged > frontendBefore, "the frontend's delayed work ended nothing");

            // And the data is still right after the purges (the next I/O maps again).
            var back = dev.Execute(Cdb.Read10(0, 512), dataInLength: data.Length);
            Assert.True(back.IsSuccess);
            Assert.Equal(data, back.Data);
        }

        [Fact]
        public void The_frontend_keeps_at_most_one_ring_of_persistent_pages_per_queue_as_blkfront()
        {
            // 256 SRBs at once on two queues with one-page rings: every ring full all the time, ids reused. blkfront's bound
            // per ring is (segments + indirect) x ring size (fill_grant_buffer); the model's indirect pages are the shadows'
            // own, so the data pages of each queue's pool must stay within segments x ring size.
            using var dev = VbdDevice.Create(new VbdDeviceOptions { SizeBytes = 8 << 20, Personality = FrontendPersonality.LinuxBlkfront, Queues = 2, BackendMaxQueues = 2, QueueDepth = 256 });
            var buffer = dev.AllocateGuestBuffer(256 * 16 * 1024);
            var srbs = new Srb[256];
            for (int round = 0; round < 4; round++)
            {
                for (int i = 0; i < srbs.Length; i++)
                {
                    srbs[i] ??= new Srb();
                    bool write = ((i + round) & 1) == 0;
                    var cdb = write ? Cdb.Write10((uint)(i * 32), 32) : Cdb.Read10((uint)(i * 32), 32);
                    srbs[i].Prepare(cdb, buffer + (ulong)(i * 16 * 1024), 16 * 1024, write ? DataDirection.Out : DataDirection.In);
                    dev.Frontend.Submit(srbs[i]);
                }

                dev.RunUntilIdle();
                Assert.All(srbs, s => Assert.Equal(SrbStatus.Success, s.SrbStatus));
            }

            Assert.Equal(2, dev.Frontend.Queues);
            int ringSize = dev.GetRings()[0].Size;
            int bound = ringSize * dev.Frontend.Options.SegmentsPerShadow;
            foreach (var ring in dev.Frontend.Rings)
            {
                int taken = ring.PersistentGrants!.PagesTaken;
                Assert.True(taken > 0 && taken <= bound, "queue " + ring.Index + " took " + taken + " pages; blkfront's bound is " + bound);
            }
        }
    }
}

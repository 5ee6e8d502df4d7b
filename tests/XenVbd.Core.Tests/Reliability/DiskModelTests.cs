using System;
using CsCheck;
using XenVbd.Backend;
using XenVbd.Device;
using XenVbd.Frontend;
using XenVbd.Scsi;
using XenVbd.Sim;
using XenVbd.Storage;
using XenVbd.Tests.Scsi;
using XenVbd.Tests.Storage;
using XenVbd.Tests.Support;
using Xunit.Abstractions;

namespace XenVbd.Tests.Reliability
{
    /// <summary>
    /// Random SRB sequences (READ/WRITE in the 6/10/12/16 forms, SYNCHRONIZE CACHE, VERIFY, UNMAP-free,
    /// any buffer alignment and size, every bounce strategy) with random faults (lost responses, responses
    /// past the watchdog, error statuses, bus resets) against a byte-array model of a file-backed disk.
    /// An acknowledged write updates the model; a failed one makes its sectors "either". After recovery
    /// every read the device acknowledges equals the model, and after a final flush the image file, reopened
    /// from scratch, equals the model wherever it is certain.
    /// </summary>
    public class DiskModelTests
    {
        private const int DiskBytes = 256 << 10;
        private const int Sectors = DiskBytes / 512;

        private readonly ITestOutputHelper _output;

        public DiskModelTests(ITestOutputHelper output) => _output = output;

        [Fact]
        public void Acknowledged_writes_match_the_model_and_flushed_writes_survive_reopening_the_image()
        {
            long srbs = 0, acked = 0, failed = 0;
            Gen.Select(Gen.ULong, Gen.Int[5, 60], Gen.Int[0, 20]).Sample((seed, steps, faultPercent) =>
            {
                using var temp = new TempDirectory();
                string path = temp.File("disk.img");
                var random = new SimRandom(seed);
                var model = new byte[DiskBytes];
                var uncertain = new bool[Sectors];
                // A write that failed by timing out may still be in flight in the backend: its data lands when it
                // completes (up to the fault's extra latency later) and can overwrite a later acknowledged write.
                // Its sectors stay uncertain until a write submitted after that time covers them.
                var staleUntil = new long[Sectors];
                var options = new VbdDeviceOptions
                {
                    Personality = FrontendPersonality.Hardened,
                    ImagePath = path,
                    SizeBytes = DiskBytes,
                    Seed = seed,
                    Bounce = (BounceStrategyKind)random.Next(3),
                    MaxIndirectSegments = random.Chance(0.5) ? 0 : 64,
                    RequestTimeout = TimeSpan.FromSeconds(2),
                    GuestBufferBytes = 1 << 20,
                };
                using (var dev = VbdDevice.Create(options))
                {
                    dev.BackendInterceptor = new LambdaInterceptor((ref BackendRequestPlan p) =>
                    {
                        if (random.Next(100) >= faultPercent) return;
                        switch (random.Next(3))
                        {
                            // Lost responses with every strategy, DeviceBuffer included (finding F3, fixed).
                            case 0: p.DropResponse = true; break;
                            case 1: p.ExtraLatencyTicks = 3 * TimeSpan.TicksPerSecond; break;
                            default: p.StatusOverride = BlkifStatusError; break;
                        }
                    });
                    SrbResult? last = null;
                    for (int step = 0; step < steps; step++)
                    {
                        srbs++;
                        int kind = random.Next(10);
                        if (kind == 9)
                        {
                            dev.Reset();
                            continue;
                        }
                        int blocks = 1 + random.Next(random.Chance(0.8) ? 16 : 200);
                        int lba = random.Next(Sectors - blocks + 1);
                        int align = random.Chance(0.4) ? 0 : random.Next(4096);
                        byte op = kind switch
                        {
                            < 4 => Pick(random, ScsiOp.Write6, ScsiOp.Write10, ScsiOp.Write12, ScsiOp.Write16),
                            < 7 => Pick(random, ScsiOp.Read6, ScsiOp.Read10, ScsiOp.Read12, ScsiOp.Read16),
                            7 => ScsiOp.SynchronizeCache10,
                            _ => ScsiOp.Verify10,
                        };
                        if ((op == ScsiOp.Write6 || op == ScsiOp.Read6) && blocks > 256) op = op == ScsiOp.Write6 ? ScsiOp.Write10 : ScsiOp.Read10;
                        if (op == ScsiOp.SynchronizeCache10)
                        {
                            var r = last = dev.Execute(CdbEncoder.Transfer(op, 0, 0));
                            if (r.IsSuccess) acked++; else failed++;
                        }
                        else if (op == ScsiOp.Verify10)
                        {
                            var r = last = dev.Execute(CdbEncoder.Transfer(op, (ulong)lba, (uint)blocks));
                            Assert.NotEqual(SrbStatus.Pending, r.SrbStatus);
                        }
                        else if (kind < 4)
                        {
                            var data = new byte[blocks * 512];
                            random.NextBytes(data);
                            long submitted = dev.Host.Scheduler.Now;
                            var r = last = dev.Execute(CdbEncoder.Transfer(op, (ulong)lba, (uint)blocks), data, bufferAlignment: align);
                            if (r.IsSuccess)
                            {
                                acked++;
                                data.CopyTo(model, lba * 512);
                                for (int s = 0; s < blocks; s++) uncertain[lba + s] = submitted <= staleUntil[lba + s];
                            }
                            else
                            {
                                failed++;
                                long late = dev.Host.Scheduler.Now + 4 * TimeSpan.TicksPerSecond;
                                for (int s = 0; s < blocks; s++)
                                {
                                    uncertain[lba + s] = true;
                                    staleUntil[lba + s] = late;
                                }
                            }
                        }
                        else
                        {
                            var r = last = dev.Execute(CdbEncoder.Transfer(op, (ulong)lba, (uint)blocks), dataInLength: blocks * 512, bufferAlignment: align);
                            if (!r.IsSuccess) { failed++; continue; }
                            acked++;
                            Assert.Equal(blocks * 512, r.Data.Length);
                            for (int s = 0; s < blocks; s++)
                                if (!uncertain[lba + s])
                                    Assert.True(r.Data.AsSpan(s * 512, 512).SequenceEqual(model.AsSpan((lba + s) * 512, 512)), "sector " + (lba + s) + " read back wrong");
                        }
                        Assert.NotEqual(FrontendState.Broken, dev.State);
                        Assert.True(last == null || last.SrbStatus != SrbStatus.Pending, "step " + step + ": an SRB never completed (" + last + "), frontend " + dev.State + ", bounce " + options.Bounce + ", timeouts " + dev.GetStatistics().Timeouts + ", resets " + dev.GetStatistics().Resets + ", late " + dev.GetStatistics().LateResponses + ", still mapped " + dev.GetStatistics().GrantsStillMapped + ", ring-full waits " + dev.GetStatistics().RingFullWaits + ", dropped " + dev.Backend.Statistics.DroppedResponses);
                    }
                    // Recovery done: a clean flush must succeed.
                    dev.BackendInterceptor = null;
                    dev.RunUntilIdle();
                    Assert.True(dev.Execute(CdbEncoder.Transfer(ScsiOp.SynchronizeCache10, 0, 0)).IsSuccess);
                }
                // Power off: the device and its image handle are gone; reopen the file from scratch.
                using var reopened = ImageFileDisk.Open(path, readOnly: true);
                var disk = new byte[DiskBytes];
                reopened.Read(0, disk);
                for (int s = 0; s < Sectors; s++)
                    if (!uncertain[s])
                        Assert.True(disk.AsSpan(s * 512, 512).SequenceEqual(model.AsSpan(s * 512, 512)), "sector " + s + " differs after reopening the image");
            }, iter: Soak.Cases(120), threads: Soak.Threads);
            _output.WriteLine($"SRBs {srbs}: acknowledged {acked}, failed {failed}");
        }

        /// <summary>
        /// The storage layer's power cut with blkback in front: writes acknowledged before a FLUSH survive a
        /// cut of the volatile cache; the file, reopened, holds exactly the flushed state.
        /// </summary>
        [Fact]
        public void Flushed_writes_survive_a_power_cut_of_the_write_cache_over_an_image_file()
        {
            using var temp = new TempDirectory();
            string path = temp.File("cache.img");
            var random = new SimRandom(42);
            var flushed = new byte[DiskBytes];
            var image = ImageFileDisk.Create(path, DiskBytes);
            var cache = new WriteCacheDisk(image);
            using (var rig = BackendRig.Connected(disk: cache))
            {
                var fe = rig.Frontend;
                var pages = rig.GrantPages(4);
                var pending = (byte[])flushed.Clone();
                for (int round = 0; round < 30; round++)
                {
                    var p = pages[random.Next(4)];
                    random.NextBytes(fe.Page(p.Frame));
                    int sector = random.Next(Sectors / 8) * 8;
                    Assert.Equal(XenVbd.Ring.BlkifStatus.Okay, fe.Submit(XenVbd.Ring.BlkifOp.Write, (ulong)round, (ulong)sector, new XenVbd.Ring.BlkifSegment(p.Gref, 0, 7)).Status);
                    fe.Page(p.Frame).CopyTo(pending.AsSpan(sector * 512, 4096));
                    if (random.Chance(0.3))
                    {
                        Assert.Equal(XenVbd.Ring.BlkifStatus.Okay, fe.Submit(XenVbd.Ring.BlkifOp.FlushDiskCache, 1000 + (ulong)round, 0).Status);
                        pending.CopyTo(flushed, 0);
                    }
                }
                cache.PowerCut();
            }
            cache.Dispose();
            using var reopened = ImageFileDisk.Open(path, readOnly: true);
            var disk = new byte[DiskBytes];
            reopened.Read(0, disk);
            Assert.Equal(flushed, disk);
        }

        /// <summary>
        /// Finding F3: the orphan keeps the device buffer pinned (the backend may still write into it), so
        /// the next bounced SRB cannot have it — but it completes, with SRB_STATUS_TIMEOUT, after one
        /// request timeout instead of hanging.
        /// </summary>
        [Fact]
        public void A_lost_response_does_not_hang_later_srbs_that_need_the_device_bounce_buffer()
        {
            using var dev = VbdDevice.Create(new VbdDeviceOptions { Personality = FrontendPersonality.Hardened, SizeBytes = DiskBytes, Bounce = BounceStrategyKind.DeviceBuffer, RequestTimeout = TimeSpan.FromSeconds(2), GuestBufferBytes = 1 << 20 });
            int n = 0;
            dev.BackendInterceptor = new LambdaInterceptor((ref BackendRequestPlan p) => p.DropResponse = n++ == 0);
            var first = dev.Execute(CdbEncoder.Transfer(ScsiOp.Write10, 0, 1), new byte[512], bufferAlignment: 3);
            Assert.False(first.IsSuccess);
            var second = dev.Execute(CdbEncoder.Transfer(ScsiOp.Write10, 8, 1), new byte[512], bufferAlignment: 3);
            Assert.NotEqual(SrbStatus.Pending, second.SrbStatus);
            Assert.Equal(SrbStatus.Timeout, second.SrbStatus.Base());
            Assert.Equal(1, dev.GetStatistics().BounceWaitTimeouts);

            // Aligned SRBs never needed the buffer and still work.
            Assert.True(dev.Execute(CdbEncoder.Transfer(ScsiOp.Write10, 16, 1), new byte[512]).IsSuccess);
        }

        private const short BlkifStatusError = XenVbd.Ring.BlkifStatus.Error;

        private static byte Pick(SimRandom r, params byte[] ops) => ops[r.Next(ops.Length)];
    }
}

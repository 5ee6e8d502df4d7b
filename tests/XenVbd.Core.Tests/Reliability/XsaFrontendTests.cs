using System;
using System.Collections.Generic;
using XenVbd.Backend;
using XenVbd.Device;
using XenVbd.Frontend;
using XenVbd.Reliability;
using XenVbd.Scsi;
using XenVbd.Tests.Scsi;
using XenVbd.Tests.Support;
using XenVbd.Xen;

namespace XenVbd.Tests.Reliability
{
    /// <summary>
    /// The frontend's side of XSA-403 (no stale data in granted pages; an untrusted backend forces
    /// bouncing) and XSA-396 (a page the backend keeps mapped is not reused), and finding F3 (a bounce
    /// buffer pinned by a reset orphan comes back when the orphan's grants end).
    /// </summary>
    public class XsaFrontendTests
    {
        private const int DiskBytes = 256 << 10;

        /// <summary>What a rogue dom0 sees: every page the guest has granted to it and it has not mapped yet.</summary>
        private static List<(uint Gref, uint Frame, byte[] Bytes)> PeekGrantedPages(VbdDevice dev)
        {
            var grants = dev.Guest.Grants;
            var seen = new List<(uint, uint, byte[])>();
            foreach (uint g in Dom0Grants.Unmapped(grants))
            {
                Assert.Equal(GrantStatus.Okay, grants.Map(g, 0, writable: false, out var page));
                seen.Add((g, grants.Frame(g), page.Span.ToArray()));
                grants.Unmap(g);
            }

            return seen;
        }

        private static int Count(byte[] bytes, byte value)
        {
            int n = 0;
            foreach (var b in bytes) if (b == value) n++;
            return n;
        }

        /// <summary>
        /// XSA-403, bounce pages: after an SRB left 0xA5 in the bounce memory, the next SRB's granted pages
        /// hold its data and zeros — for a WRITE exactly the transfer's bytes are non-zero, for a READ the
        /// whole page is zero before the backend fills it. Every strategy, alignments inside a page.
        /// </summary>
        [Theory]
        [InlineData(BounceStrategyKind.PerSrb)]
        [InlineData(BounceStrategyKind.DeviceBuffer)]
        [InlineData(BounceStrategyKind.SegmentPool)]
        public void Xsa403_bounce_pages_show_the_backend_nothing_but_the_transfer(BounceStrategyKind bounce)
        {
            using var dev = VbdDevice.Create(new VbdDeviceOptions { SizeBytes = DiskBytes, Bounce = bounce, GuestBufferBytes = 1 << 20 });
            var stale = new byte[16 * 512];
            stale.AsSpan().Fill(0xA5);
            Assert.True(dev.Execute(CdbEncoder.Transfer(ScsiOp.Write10, 0, 16), stale, bufferAlignment: 7).IsSuccess);
            Assert.True(dev.Execute(CdbEncoder.Transfer(ScsiOp.Read10, 0, 16), dataInLength: stale.Length, bufferAlignment: 7).IsSuccess);

            List<(uint Gref, uint Frame, byte[] Bytes)>? seen = null;
            dev.BackendInterceptor = new LambdaInterceptor((ref BackendRequestPlan p) => seen = PeekGrantedPages(dev));

            var data = new byte[3 * 512];
            data.AsSpan().Fill(0x5A);
            Assert.True(dev.Execute(CdbEncoder.Transfer(ScsiOp.Write10, 40, 3), data, bufferAlignment: 9).IsSuccess);
            Assert.NotNull(seen);
            Assert.NotEmpty(seen!);
            int dataBytes = 0;
            foreach (var (_, _, bytes) in seen!)
            {
                Assert.Equal(0, Count(bytes, 0xA5));
                dataBytes += Count(bytes, 0x5A);
                Assert.Equal(bytes.Length, Count(bytes, 0x5A) + Count(bytes, 0));
            }

            Assert.Equal(data.Length, dataBytes);

            seen = null;
            var read = dev.Execute(CdbEncoder.Transfer(ScsiOp.Read10, 0, 16), dataInLength: 16 * 512, bufferAlignment: 11);
            Assert.True(read.IsSuccess);
            Assert.Equal(stale, read.Data);
            foreach (var (_, _, bytes) in seen!) Assert.Equal(bytes.Length, Count(bytes, 0));
        }

        /// <summary>
        /// XSA-403, untrusted backend: with <see cref="VbdDeviceOptions.UntrustedBackend"/> even an aligned
        /// buffer is bounced — the backend is never granted a guest buffer page, never sees the secret
        /// bytes beside the transfer, and the data still arrives intact both ways.
        /// </summary>
        [Theory]
        [InlineData(BounceStrategyKind.PerSrb)]
        [InlineData(BounceStrategyKind.DeviceBuffer)]
        [InlineData(BounceStrategyKind.SegmentPool)]
        public void Xsa403_an_untrusted_backend_never_sees_the_guests_buffers(BounceStrategyKind bounce)
        {
            using var dev = VbdDevice.Create(new VbdDeviceOptions { SizeBytes = DiskBytes, Bounce = bounce, UntrustedBackend = true, GuestBufferBytes = 1 << 20 });
            Assert.True(dev.Frontend.Options.UntrustedBackend);
            ulong buffer = dev.AllocateGuestBuffer(3 * 4096);
            uint firstFrame = (uint)(buffer / 4096);
            dev.GuestBytes(buffer, 3 * 4096).Fill(0xEE);
            var seen = new List<(uint Gref, uint Frame, byte[] Bytes)>();
            dev.BackendInterceptor = new LambdaInterceptor((ref BackendRequestPlan p) => seen.AddRange(PeekGrantedPages(dev)));

            var data = new byte[8 * 512];
            new Random(5).NextBytes(data);
            for (int i = 0; i < data.Length; i++) if (data[i] == 0xEE) data[i] = 0x01;
            data.CopyTo(dev.GuestBytes(buffer + 4096, data.Length));
            dev.GuestBytes(buffer + 4096 + (ulong)data.Length, 512).Fill(0xEE);
            var write = new Srb();
            write.Prepare(CdbEncoder.Transfer(ScsiOp.Write10, 8, 8), buffer + 4096, data.Length, DataDirection.Out);
            dev.Submit(write);
            Assert.True(dev.RunUntilComplete(write));
            Assert.Equal(SrbStatus.Success, write.SrbStatus.Base());
            Assert.True(write.BytesBounced >= data.Length, "an aligned write was not bounced");

            var read = new Srb();
            dev.GuestBytes(buffer + 4096, 4096).Fill(0xEE);
            read.Prepare(CdbEncoder.Transfer(ScsiOp.Read10, 8, 2), buffer + 4096, 1024, DataDirection.In);
            dev.Submit(read);
            Assert.True(dev.RunUntilComplete(read));
            Assert.Equal(SrbStatus.Success, read.SrbStatus.Base());
            Assert.Equal(data.AsSpan(0, 1024).ToArray(), dev.GuestBytes(buffer + 4096, 1024).ToArray());
            Assert.Equal(3 * 1024, Count(dev.GuestBytes(buffer + 4096 + 1024, 3 * 1024).ToArray(), 0xEE));

            var disk = new byte[data.Length];
            dev.Storage.Read(8 * 512, disk);
            Assert.Equal(data, disk);
            Assert.NotEmpty(seen);
            foreach (var (_, frame, bytes) in seen)
            {
                Assert.True(frame < firstFrame || frame >= firstFrame + 3, "the backend was granted a guest buffer page");
                Assert.Equal(0, Count(bytes, 0xEE));
            }
        }

        /// <summary>
        /// XSA-403, ring and check pages: after a connection left junk in them, a reconnect (Announce mode,
        /// so the layout check read uses the scratch page) grants them zeroed — the ring holds only the one
        /// request on it, the check page nothing at all.
        /// </summary>
        [Fact]
        public void Xsa403_ring_and_check_read_pages_are_zeroed_before_they_are_granted()
        {
            using var dev = VbdDevice.Create(new VbdDeviceOptions { Personality = FrontendPersonality.Hardened, SizeBytes = DiskBytes, FrontendMode = FrontendAbiMode.Announce });
            Assert.Equal(FrontendState.Ready, dev.State);
            var grants = dev.Guest.Grants;
            // Junk in every page the frontend has granted so far (the ring; the check page's grant ended).
            for (uint g = GrantTable.ReservedEntries; g < (uint)grants.Capacity; g++)
                if (grants.Domid(g) == 0 && grants.Frame(g) != 0) dev.Guest.Memory.Page(grants.Frame(g)).Span.Fill(0xC3);

            var seen = new List<(uint Gref, uint Frame, byte[] Bytes)>();
            var ringFrames = new List<uint>();
            dev.BackendInterceptor = new LambdaInterceptor((ref BackendRequestPlan p) =>
            {
                seen.AddRange(PeekGrantedPages(dev));
                for (uint g = GrantTable.ReservedEntries; g < (uint)grants.Capacity; g++)
                    if (grants.IsActive(g) && grants.IsMapped(g)) ringFrames.Add(grants.Frame(g));
            });
            dev.Backend.Disconnect();
            dev.RunUntilIdle();
            dev.Backend.Reconnect();
            dev.RunUntilIdle();
            Assert.Equal(FrontendState.Ready, dev.State);
            Assert.Equal(2, dev.Frontend.Generation);
            Assert.NotEmpty(seen);
            foreach (var (_, _, bytes) in seen) Assert.Equal(0, Count(bytes, 0xC3));
            Assert.NotEmpty(ringFrames);
            foreach (var frame in ringFrames) Assert.Equal(0, Count(dev.Guest.Memory.Page(frame).Span.ToArray(), 0xC3));
        }

        /// <summary>
        /// XSA-396 from the frontend: a backend answers but keeps the bounce pages of that request mapped.
        /// The frontend does not hand those pages to any later SRB (their bytes stay the first SRB's) while
        /// the mapping lasts; other SRBs still complete (DeviceBuffer: bounced ones time out waiting, F3);
        /// once the backend lets go, the memory is reused and bounced I/O works again.
        /// </summary>
        [Theory]
        [InlineData(BounceStrategyKind.PerSrb)]
        [InlineData(BounceStrategyKind.DeviceBuffer)]
        [InlineData(BounceStrategyKind.SegmentPool)]
        public void Xsa396_the_frontend_does_not_reuse_a_page_the_backend_keeps_mapped(BounceStrategyKind bounce)
        {
            using var dev = VbdDevice.Create(new VbdDeviceOptions { Personality = FrontendPersonality.Hardened, SizeBytes = DiskBytes, Bounce = bounce, QueueDepth = 4, RequestTimeout = TimeSpan.FromSeconds(2), GuestBufferBytes = 1 << 20 });
            var grants = dev.Guest.Grants;
            var kept = new List<(uint Gref, MemoryRegion Page)>();
            bool keep = true;
            dev.BackendInterceptor = new LambdaInterceptor((ref BackendRequestPlan p) =>
            {
                if (!keep) return;
                keep = false;
                foreach (uint g in Dom0Grants.Unmapped(grants))
                {
                    Assert.Equal(GrantStatus.Okay, grants.Map(g, 0, writable: false, out var page));
                    kept.Add((g, page));
                }
            });

            var first = new byte[512];
            first.AsSpan().Fill(0x11);
            Assert.True(dev.Execute(CdbEncoder.Transfer(ScsiOp.Write10, 0, 1), first, bufferAlignment: 3).IsSuccess);
            Assert.NotEmpty(kept);
            Assert.True(dev.GetStatistics().GrantsStillMapped > 0);
            Assert.True(dev.Frontend.QuarantinedRequestIds > 0);

            // Later bounced SRBs, with other data, again and again: the kept pages never carry them.
            for (int i = 0; i < 6; i++)
            {
                var other = new byte[512];
                other.AsSpan().Fill((byte)(0x20 + i));
                var r = dev.Execute(CdbEncoder.Transfer(ScsiOp.Write10, (ulong)(8 + i), 1), other, bufferAlignment: 3);
                if (bounce == BounceStrategyKind.DeviceBuffer) Assert.Equal(SrbStatus.Timeout, r.SrbStatus.Base());
                else Assert.True(r.IsSuccess);
                foreach (var (_, page) in kept) Assert.Equal(512, Count(page.Span.ToArray(), 0x11));
            }

            // Aligned I/O never needed those pages.
            Assert.True(dev.Execute(CdbEncoder.Transfer(ScsiOp.Write10, 30, 1), new byte[512]).IsSuccess);

            // The backend lets go: the quarantine ends and bounced I/O works on every strategy.
            foreach (var (g, _) in kept) grants.Unmap(g);
            var last = new byte[512];
            last.AsSpan().Fill(0x77);
            Assert.True(dev.Execute(CdbEncoder.Transfer(ScsiOp.Write10, 40, 1), last, bufferAlignment: 3).IsSuccess);
            Assert.Equal(0, dev.Frontend.QuarantinedRequestIds);
            var disk = new byte[512];
            dev.Storage.Read(40 * 512, disk);
            Assert.Equal(last, disk);
        }

        /// <summary>F3: the orphan's late response gives the device buffer back; the next bounced SRB uses it.</summary>
        [Fact]
        public void F3_a_late_response_to_a_reset_orphan_frees_the_device_bounce_buffer()
        {
            using var dev = VbdDevice.Create(new VbdDeviceOptions { Personality = FrontendPersonality.Hardened, SizeBytes = DiskBytes, Bounce = BounceStrategyKind.DeviceBuffer, RequestTimeout = TimeSpan.FromSeconds(2), GuestBufferBytes = 1 << 20 });
            int n = 0;
            dev.BackendInterceptor = new LambdaInterceptor((ref BackendRequestPlan p) => { if (n++ == 0) p.ExtraLatencyTicks = 4 * TimeSpan.TicksPerSecond; });
            var first = dev.Execute(CdbEncoder.Transfer(ScsiOp.Write10, 0, 1), new byte[512], bufferAlignment: 3);
            Assert.Equal(SrbStatus.Timeout, first.SrbStatus.Base());
            var data = new byte[512];
            data.AsSpan().Fill(0x42);
            var second = dev.Execute(CdbEncoder.Transfer(ScsiOp.Write10, 8, 1), data, bufferAlignment: 3);
            Assert.True(second.IsSuccess, second.ToString());
            Assert.Equal(1, dev.GetStatistics().LateResponses);
            Assert.Equal(0, dev.GetStatistics().BounceWaitTimeouts);
        }

        /// <summary>F3: a response that never comes pins the buffer until the backend reconnects; then bounced I/O works again.</summary>
        [Fact]
        public void F3_a_reconnect_frees_a_device_bounce_buffer_pinned_by_a_lost_response()
        {
            using var dev = VbdDevice.Create(new VbdDeviceOptions { Personality = FrontendPersonality.Hardened, SizeBytes = DiskBytes, Bounce = BounceStrategyKind.DeviceBuffer, RequestTimeout = TimeSpan.FromSeconds(2), GuestBufferBytes = 1 << 20 });
            int n = 0;
            dev.BackendInterceptor = new LambdaInterceptor((ref BackendRequestPlan p) => p.DropResponse = n++ == 0);
            Assert.False(dev.Execute(CdbEncoder.Transfer(ScsiOp.Write10, 0, 1), new byte[512], bufferAlignment: 3).IsSuccess);
            Assert.Equal(SrbStatus.Timeout, dev.Execute(CdbEncoder.Transfer(ScsiOp.Write10, 8, 1), new byte[512], bufferAlignment: 3).SrbStatus.Base());
            // The backend goes away and the frontend sees it go (the quick flap without a pause is the XSA-350 property's).
            dev.Backend.Disconnect();
            dev.RunUntilIdle();
            dev.Backend.Reconnect();
            dev.RunUntilIdle();
            Assert.Equal(FrontendState.Ready, dev.State);
            var again = dev.Execute(CdbEncoder.Transfer(ScsiOp.Write10, 8, 1), new byte[512], bufferAlignment: 3);
            Assert.True(again.IsSuccess, again + " " + dev.State + " " + dev.Frontend.FailureReason);
        }
    }
}

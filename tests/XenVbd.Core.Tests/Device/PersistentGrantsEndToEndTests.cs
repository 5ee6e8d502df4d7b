using System;
using XenVbd.Device;
using XenVbd.Frontend;

namespace XenVbd.Tests.Device
{
    /// <summary>
    /// Linux blkfront against Linux blkback with persistent grants negotiated through XenStore, end to end: the data goes
    /// through pages that stay granted, the backend maps each grant once, a still-mapped grant is not an XSA-396 error,
    /// and the bytes are right. Without either side's parameter nothing is kept.
    /// </summary>
    public class PersistentGrantsEndToEndTests
    {
        private static byte[] Pattern(int length, int seed)
        {
            var b = new byte[length];
            for (int i = 0; i < b.Length; i++) b[i] = (byte)(i * 31 + seed);
            return b;
        }

        private static void WriteRead(VbdDevice dev, int rounds)
        {
            for (int r = 0; r < rounds; r++)
            {
                var data = Pattern(64 * 1024, r);
                Assert.True(dev.Execute(Cdb.Write10((uint)(r * 128), 128), data).IsSuccess);
                var back = dev.Execute(Cdb.Read10((uint)(r * 128), 128), dataInLength: data.Length);
                Assert.True(back.IsSuccess);
                Assert.Equal(data, back.Data);
            }
        }

        [Fact]
        public void LinuxBlkfront_and_LinuxBlkback_negotiate_persistent_grants_and_map_each_grant_once()
        {
            using var dev = VbdDevice.Create(new VbdDeviceOptions { SizeBytes = 8 << 20, Personality = FrontendPersonality.LinuxBlkfront });
            Assert.Equal("1", dev.Host.Store.Read(dev.Frontend.FrontendPath + "/feature-persistent"));
            WriteRead(dev, 20);
            var be = dev.Backend;
            Assert.True(be.PersistentGrantsEnabled);
            var st = be.Statistics;
            // 40 SRBs of 16 segments: each grant is mapped once, the first time its slot carries data; the rest are hits.
            Assert.True(st.PersistentGrantHits > st.GrantMaps, "hits " + st.PersistentGrantHits + " maps " + st.GrantMaps);
            Assert.Equal(0, st.GrantUnmaps);
            Assert.True(be.PersistentGrantCount > 0);
            var fs = dev.GetStatistics();
            Assert.True(fs.PersistentSegments >= 40 * 16);
            Assert.Equal(0, fs.GrantsStillMapped);       // kept grants are not XSA-396 leaks
        }

        [Theory]
        [InlineData(false, true)]
        [InlineData(true, false)]
        public void Either_side_turning_it_off_keeps_nothing(bool frontendOffers, bool backendOffers)
        {
            // The device option drives both parameters; the backend's alone is turned off through its options.
            using var dev = VbdDevice.Create(new VbdDeviceOptions
            {
                SizeBytes = 8 << 20,
                Personality = frontendOffers ? FrontendPersonality.LinuxBlkfront : FrontendPersonality.XenProject,
                PersistentGrants = backendOffers,
            });
            WriteRead(dev, 4);
            Assert.False(dev.Backend.PersistentGrantsEnabled);
            Assert.Equal(0, dev.Backend.PersistentGrantCount);
            Assert.Equal(dev.Backend.Statistics.GrantMaps, dev.Backend.Statistics.GrantUnmaps);
            Assert.Equal(0, dev.GetStatistics().PersistentSegments);
        }

        [Fact]
        public void Grants_the_backend_purged_are_ended_by_the_frontend_within_10_s()
        {
            using var dev = VbdDevice.Create(new VbdDeviceOptions { SizeBytes = 8 << 20, Personality = FrontendPersonality.LinuxBlkfront });
            // One 256 KiB write: 24 requests' worth of shadows carry grants the backend keeps.
            var big = Pattern(256 * 1024, 7);
            Assert.True(dev.Execute(Cdb.Write10(4096, 512), big).IsSuccess);
            int kept = dev.Backend.PersistentGrantCount;
            Assert.True(kept >= 64, "kept " + kept);
            // 61 s idle: at its next wake the backend drops every grant unused for 60 s; the small I/O after it maps a few again.
            dev.Host.Scheduler.RunUntil(dev.Host.Scheduler.Now + 61 * TimeSpan.TicksPerSecond);
            WriteRead(dev, 1);
            Assert.True(dev.Backend.Statistics.PersistentGrantsPurged >= kept);
            Assert.True(dev.Backend.PersistentGrantCount < kept);
            Assert.Equal(0, dev.GetStatistics().PersistentGrantsPurged);
            // The frontend's 10 s purge then ends the grants of its free slots that the backend no longer maps.
            dev.Host.Scheduler.RunUntil(dev.Host.Scheduler.Now + 11 * TimeSpan.TicksPerSecond);
            WriteRead(dev, 1);
            Assert.True(dev.GetStatistics().PersistentGrantsPurged >= kept - dev.Backend.PersistentGrantCount,
                "frontend purged " + dev.GetStatistics().PersistentGrantsPurged + ", backend keeps " + dev.Backend.PersistentGrantCount + " of " + kept);
            // The data written before all this is still there.
            var back = dev.Execute(Cdb.Read10(4096, 512), dataInLength: big.Length);
            Assert.Equal(big, back.Data);
        }
    }
}

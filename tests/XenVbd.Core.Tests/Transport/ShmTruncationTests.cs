using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Runtime.InteropServices;
using XenVbd.Backend;
using XenVbd.Frontend;
using XenVbd.Ring;
using XenVbd.Scsi;
using XenVbd.Storage;
using XenVbd.Transport;
using XenVbd.Xen;

namespace XenVbd.Tests.Transport
{
    /// <summary>
    /// A hostile peer shrinks the shared-memory file under both C# hosts: a real process (coreutils
    /// <c>truncate</c>, i.e. ftruncate) cuts the file at each point of the protocol, to each of several
    /// lengths, then bumps both event counters through the file descriptor as a peer that wants us to
    /// look would. Before the guard, the next pass died with SIGBUS turned into an uncatchable
    /// AccessViolationException (in SharedRing.get_ReqProd on the backend, get_RspProd on the frontend)
    /// and took the whole test process with it. Now each host stops its connection, says why, and
    /// everything this process still does with the mapping (its timers, Dispose) is harmless.
    /// </summary>
    public sealed class ShmTruncationTests : IDisposable
    {
        private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
        private readonly string _dir = Path.Combine(Path.GetTempPath(), "xenvbd-shmtrunc-" + Guid.NewGuid().ToString("N"));

        public ShmTruncationTests() => Directory.CreateDirectory(_dir);

        public void Dispose()
        {
            try { Directory.Delete(_dir, true); } catch (IOException) { }
        }

        public enum Point
        {
            BackendAttached,      // backend in InitWait, frontend has granted nothing yet
            FrontendInitialised,  // ring granted and published, backend not yet connected
            Connected,            // handshake done, ring idle
            AfterOneWrite,        // one WRITE answered (the repro)
            RequestInRing,        // a WRITE pushed, the backend has not looked yet
            ResponseInRing,       // the backend answered, the frontend has not looked yet
        }

        public static IEnumerable<object[]> Cases()
        {
            foreach (Point p in Enum.GetValues(typeof(Point)))
                foreach (long length in new long[] { 0, 4096, 8192, -4096 })   // -4096: all but the last page
                    yield return new object[] { p, length };
        }

        [Theory]
        [MemberData(nameof(Cases))]
        public void A_peer_that_truncates_the_file_stops_the_connection_and_the_process_lives(Point point, long cut)
        {
            if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux))
            {
                // Windows refuses to shrink a file that is mapped, which is the guarantee Linux lacks.
                string p = Path.Combine(_dir, "w.shm");
                using var f = SharedMemoryFile.Create(p, new SharedMemoryFileOptions { DataPages = 16 });
                using var s = new FileStream(p, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
                Assert.ThrowsAny<IOException>(() => s.SetLength(8192));
                return;
            }

            string path = Path.Combine(_dir, "vbd.shm");
            // A frontend that stops at Initialised (the hardened design: 1 → 3 → 4), so the cut can land there.
            var fo = new FrontendOptions { Personality = FrontendPersonality.Hardened, Abi = BlkifAbi.X86_64, Mode = FrontendAbiMode.Announce, MaxRingPageOrder = 1, QueueDepth = 8 };
            using var file = SharedMemoryFile.Create(path, new SharedMemoryFileOptions { Abi = BlkifAbi.X86_64, MaxRingPageOrder = 1, DataPages = fo.RequiredPages + 32 });
            using var backFile = SharedMemoryFile.Open(path);
            using var disk = new MemoryDisk(4 << 20);
            using var back = new ShmBackendHost(backFile, disk, new BlkBackOptions { AbiMode = BackendAbiMode.Protocol, MaxRingPageOrder = 2 }, seed: 7);
            using var front = new ShmFrontendHost(file, seed: 3);
            using var fe = new XenVbdFrontend(front.Host, front.Guest, 0, fo);
            fe.Start();

            var srb = new Srb();
            ulong buffer = (ulong)front.Guest.Memory.AllocatePages(1) * XenPage.Size;
            byte[] write10 = { 0x2A, 0, 0, 0, 0, 8, 0, 0, 1, 0 };
            switch (point)
            {
                case Point.BackendAttached:
                    back.Poll();
                    Assert.Equal(XenbusState.InitWait, file.BackendState);
                    break;
                case Point.FrontendInitialised:
                    Assert.True(front.RunUntil(() => file.FrontendState == XenbusState.Initialised, Timeout, Array.Empty<ShmPeerHost>()));
                    break;
                default:
                    Assert.True(front.RunUntil(() => fe.State == FrontendState.Ready, Timeout, back), "frontend stuck in " + fe.State);
                    break;
            }

            if (point == Point.AfterOneWrite || point == Point.RequestInRing || point == Point.ResponseInRing)
            {
                srb.Prepare(write10, buffer, 512, DataDirection.Out);
                fe.Submit(srb);
                if (point == Point.AfterOneWrite)
                {
                    Assert.True(front.RunUntil(() => srb.IsComplete, Timeout, back));
                    Assert.Equal(SrbStatus.Success, srb.SrbStatus);
                }
                else
                {
                    front.Poll();   // pushed and notified; the backend has not run
                    if (point == Point.ResponseInRing)
                    {
                        Assert.True(back.RunUntil(() => back.Backend.Statistics.RequestsConsumed > 0 && file.BackToFrontEvents > 0, Timeout, Array.Empty<ShmPeerHost>()));
                    }
                }
            }

            long length = cut < 0 ? file.Length + cut : cut;
            Truncate(path, length);
            if (length >= 4096) BumpCounters(path);

            // Both hosts keep polling, as ShmTool and the module's loops do; neither may fault.
            for (int i = 0; i < 50; i++)
            {
                front.Poll();
                back.Poll();
            }

            Assert.NotNull(front.PeerFault);
            Assert.NotNull(back.PeerFault);
            Assert.Contains("truncated it to " + length + " bytes", back.PeerFault!);
            Assert.Contains(path, front.PeerFault!);
            Assert.True(front.File.TruncationGuard.Quarantined && back.File.TruncationGuard.Quarantined);
            // Stopped means stopped: RunUntil gives up at once instead of waiting out its timeout.
            var sw = Stopwatch.StartNew();
            Assert.False(front.RunUntil(() => false, Timeout, back));
            Assert.True(sw.Elapsed < Timeout);
            // The engine's timers still run over the (now private) memory without faulting.
            fe.Dispose();
        }

        [Fact]
        public void A_file_truncated_before_the_backend_opens_it_is_refused_by_field()
        {
            if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux)) return;
            string path = Path.Combine(_dir, "early.shm");
            using var file = SharedMemoryFile.Create(path, new SharedMemoryFileOptions { DataPages = 16 });
            Truncate(path, 8192);
            var ex = Assert.Throws<SharedMemoryFormatException>(() => SharedMemoryFile.Open(path));
            Assert.Equal("file_size", ex.Field);
        }

        /// <summary>The hostile peer: a separate process calling ftruncate on the file.</summary>
        private static void Truncate(string path, long length)
        {
            var psi = new ProcessStartInfo("truncate") { UseShellExecute = false, RedirectStandardError = true };
            psi.ArgumentList.Add("-s");
            psi.ArgumentList.Add(length.ToString(System.Globalization.CultureInfo.InvariantCulture));
            psi.ArgumentList.Add(path);
            using var p = Process.Start(psi)!;
            string err = p.StandardError.ReadToEnd();
            Assert.True(p.WaitForExit(10_000), "truncate did not finish");
            Assert.True(p.ExitCode == 0, "truncate failed: " + err);
            Assert.Equal(length, new FileInfo(path).Length);
        }

        /// <summary>The peer's notify after the truncation, written with pwrite (not through our mappings).</summary>
        private static void BumpCounters(string path)
        {
            using var s = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
            foreach (int offset in new[] { ShmLayout.EventFrontToBackOffset, ShmLayout.EventBackToFrontOffset })
            {
                var b = new byte[4];
                s.Position = offset;
                Assert.Equal(4, s.Read(b, 0, 4));
                uint v = BitConverter.ToUInt32(b, 0) + 1;
                s.Position = offset;
                s.Write(BitConverter.GetBytes(v), 0, 4);
            }
            s.Flush();
        }
    }
}

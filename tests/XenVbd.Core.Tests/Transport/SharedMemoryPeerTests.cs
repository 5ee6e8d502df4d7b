using System;
using System.Collections.Generic;
using System.IO;
using XenVbd.Backend;
using XenVbd.Frontend;
using XenVbd.Ring;
using XenVbd.Storage;
using XenVbd.Transport;
using XenVbd.Xen;

namespace XenVbd.Tests.Transport
{
    /// <summary>A C# frontend and a C# blkback, each on its own XenHost, meeting only through the file.</summary>
    public sealed class SharedMemoryPeerTests : IDisposable
    {
        private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
        private readonly string _dir = Path.Combine(Path.GetTempPath(), "xenvbd-shmpeer-" + Guid.NewGuid().ToString("N"));

        public SharedMemoryPeerTests() => Directory.CreateDirectory(_dir);

        public void Dispose()
        {
            try { Directory.Delete(_dir, true); } catch (IOException) { }
        }

        public static IEnumerable<object[]> Matrix()
        {
            // frontend ABI, frontend mode, backend mode, backend native ABI, layout the probe must end on
            yield return new object[] { BlkifAbi.X86_64, FrontendAbiMode.Probe, BackendAbiMode.Native, BlkifAbi.X86_64, BlkifAbi.X86_64 };
            yield return new object[] { BlkifAbi.X86_64, FrontendAbiMode.Probe, BackendAbiMode.Native, BlkifAbi.X86_32, BlkifAbi.X86_32 };
            yield return new object[] { BlkifAbi.X86_32, FrontendAbiMode.Probe, BackendAbiMode.Native, BlkifAbi.X86_64, BlkifAbi.X86_64 };
            // Protocol backend and no protocol key: Linux assumes x86_32, and the probe finds that.
            yield return new object[] { BlkifAbi.X86_64, FrontendAbiMode.Probe, BackendAbiMode.Protocol, BlkifAbi.X86_64, BlkifAbi.X86_32 };
            yield return new object[] { BlkifAbi.X86_64, FrontendAbiMode.Announce, BackendAbiMode.Protocol, BlkifAbi.X86_32, BlkifAbi.X86_64 };
        }

        [Theory]
        [MemberData(nameof(Matrix))]
        public void Frontend_and_backend_on_separate_hosts_talk_through_the_file(BlkifAbi feAbi, FrontendAbiMode feMode, BackendAbiMode beMode, BlkifAbi beNative, BlkifAbi expected)
        {
            string path = Path.Combine(_dir, "vbd.shm");
            var fo = new FrontendOptions { Personality = FrontendPersonality.Hardened, Abi = feAbi, Mode = feMode, MaxRingPageOrder = 1, QueueDepth = 8 };
            using var file = SharedMemoryFile.Create(path, new SharedMemoryFileOptions { Abi = feAbi, MaxRingPageOrder = 1, DataPages = fo.RequiredPages + 32 });
            using var backFile = SharedMemoryFile.Open(path, expectedAbi: null);
            using var disk = new MemoryDisk(4 << 20);
            // The backend's view first: it starts with an empty grant table, before anything is granted.
            using var back = new ShmBackendHost(backFile, disk, new BlkBackOptions { AbiMode = beMode, NativeAbi = beNative, MaxRingPageOrder = 2 }, seed: 7);
            using var front = new ShmFrontendHost(file, seed: 3);
            using var fe = new XenVbdFrontend(front.Host, front.Guest, 0, fo);
            fe.Start();

            Assert.True(front.RunUntil(() => fe.State == FrontendState.Ready || fe.State == FrontendState.Broken || fe.State == FrontendState.LayoutMismatch, Timeout, back),
                "frontend stuck in " + fe.State);
            Assert.Equal(FrontendState.Ready, fe.State);
            Assert.Equal(expected, fe.Abi);
            Assert.Equal(expected, back.Backend.ChosenAbi);
            Assert.Equal(1, fe.RingPageOrder);
            if (feMode == FrontendAbiMode.Probe)
            {
                Assert.NotNull(fe.ProbeResult);
                Assert.Equal(expected != feAbi, fe.ProbeResult!.Switched);
            }

            var lines = new List<string>();
            int failures = ShmIoCheck.Run(fe, front.Guest, front, Timeout, (ok, what) => lines.Add((ok ? "PASS " : "FAIL ") + what), back);
            Assert.True(failures == 0, string.Join("\n", lines));

            // What crossed the file: both event counters moved, the header mirrors both sides.
            Assert.True(file.FrontToBackEvents > 0 && file.BackToFrontEvents > 0);
            Assert.Equal(XenbusState.Connected, file.BackendState);
            Assert.Equal(XenbusState.Connected, backFile.FrontendState);
            Assert.Equal(expected.ToProtocolString(), file.BackendChosenAbi);
            Assert.Equal(feMode == FrontendAbiMode.Probe ? null : feAbi.ToProtocolString(), backFile.FrontendProtocol);
            Assert.Equal(0, back.Backend.Statistics.RingHalts);
            // Keys with no fixed field cross through the key areas: blkback's mode, the frontend's ring refs.
            Assert.Equal("w", front.Host.Store.Read(front.BackendPath + "/mode"));
            Assert.Equal(front.Host.Store.Read(front.FrontendPath + "/ring-ref0"), back.Host.Store.Read(back.FrontendPath + "/ring-ref0"));
            Assert.True(back.Backend.Statistics.RequestsConsumed > 6);
            // The bytes are on the backend's disk.
            var sector = new byte[512];
            disk.Read(100 * 512, sector);
            for (int i = 0; i < 512; i++) Assert.Equal(ShmIoCheck.Pattern(100 * 512 + i), sector[i]);

            Assert.True(front.Close(Timeout, back));
            Assert.True(back.RunUntil(() => backFile.BackendState == XenbusState.Closed, Timeout, front));
            Assert.False(back.Backend.IsConnected);
        }

        [Fact]
        public void A_key_the_backend_did_not_write_is_absent_for_the_frontend_not_zero()
        {
            string path = Path.Combine(_dir, "keys.shm");
            using var file = SharedMemoryFile.Create(path, new SharedMemoryFileOptions { DataPages = 8 });
            using var peer = SharedMemoryFile.Open(path);
            using var front = new ShmFrontendHost(file);
            // As QEMU does: feature-flush-cache but no feature-barrier, no physical-sector-size.
            peer.WriteBackendKeys(new[] { KeyValuePair.Create("feature-flush-cache", "1"), KeyValuePair.Create("feature-barrier", "1"), KeyValuePair.Create("max-ring-page-order", "4") });
            peer.BackendState = XenbusState.InitWait;
            front.Poll();
            Assert.Equal("1", front.Host.Store.Read(front.BackendPath + "/feature-barrier"));
            Assert.Equal("2", front.Host.Store.Read(front.BackendPath + "/state"));
            // Keys published later without a state change (QEMU 10 writes InitWait first) still arrive, and a withdrawn one goes.
            peer.WriteBackendKeys(new[] { KeyValuePair.Create("feature-flush-cache", "1"), KeyValuePair.Create("max-ring-page-order", "4"), KeyValuePair.Create("sectors", "2048") });
            front.Poll();
            Assert.Null(front.Host.Store.Read(front.BackendPath + "/feature-barrier"));
            Assert.Null(front.Host.Store.Read(front.BackendPath + "/physical-sector-size"));
            Assert.Equal("2048", front.Host.Store.Read(front.BackendPath + "/sectors"));
        }
    }
}

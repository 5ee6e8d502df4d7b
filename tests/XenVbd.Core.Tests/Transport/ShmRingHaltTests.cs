using System;
using System.IO;
using XenVbd.Backend;
using XenVbd.Frontend;
using XenVbd.Ring;
using XenVbd.Storage;
using XenVbd.Transport;
using XenVbd.Xen;

namespace XenVbd.Tests.Transport
{
    /// <summary>A rogue frontend pushes req_prod far past the ring: the header must say the ring is halted, not just "Connected".</summary>
    public sealed class ShmRingHaltTests : IDisposable
    {
        private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
        private readonly string _dir = Path.Combine(Path.GetTempPath(), "xenvbd-shmhalt-" + Guid.NewGuid().ToString("N"));

        public ShmRingHaltTests() => Directory.CreateDirectory(_dir);

        public void Dispose()
        {
            try { Directory.Delete(_dir, true); } catch (IOException) { }
        }

        [Fact]
        public unsafe void A_halted_ring_is_published_in_the_header_while_the_state_stays_Connected()
        {
            string path = Path.Combine(_dir, "vbd.shm");
            var fo = new FrontendOptions { Abi = BlkifAbi.X86_64, Mode = FrontendAbiMode.Announce, QueueDepth = 8 };
            using var file = SharedMemoryFile.Create(path, new SharedMemoryFileOptions { Abi = BlkifAbi.X86_64, DataPages = fo.RequiredPages + 8 });
            using var backFile = SharedMemoryFile.Open(path);
            using var disk = new MemoryDisk(1 << 20);
            using var back = new ShmBackendHost(backFile, disk, new BlkBackOptions { AbiMode = BackendAbiMode.Protocol }, seed: 7);
            using var front = new ShmFrontendHost(file, seed: 3);
            using var fe = new XenVbdFrontend(front.Host, front.Guest, 0, fo);
            fe.Start();
            Assert.True(front.RunUntil(() => fe.State == FrontendState.Ready, Timeout, back));
            Assert.Equal(0u, file.ReadUInt32(ShmLayout.BackRingHaltedOffset));

            // The rogue frontend: req_prod (offset 0 of the shared ring) 1000 requests ahead, then a notify.
            *(uint*)(file.All.Address + file.RingOffset) = 1000;
            file.NotifyBackend();
            Assert.True(back.RunUntil(() => back.Backend.IsRingHalted, Timeout, Array.Empty<ShmPeerHost>()));
            back.Poll();

            Assert.Equal(1u, file.ReadUInt32(ShmLayout.BackRingHaltedOffset));
            Assert.Equal(XenbusState.Connected, file.BackendState);   // as Linux blkback: it halts and waits, it does not close
            // Linux blkback only logs the overflow (blkback.c __do_block_io_op): no <backend>/error key; the header flag is how a peer sees it.
            Assert.Null(back.Host.Store.Read(back.Backend.BackendPath + "/error"));
        }

        [Fact]
        public void A_peer_that_dies_mid_protocol_leaves_the_host_waiting_and_alive()
        {
            // The peer's process is gone (killed): nothing in the file moves any more. The host must time
            // out of its wait, keep polling without error, and still be able to close.
            string path = Path.Combine(_dir, "dead.shm");
            var fo = new FrontendOptions { Abi = BlkifAbi.X86_64, Mode = FrontendAbiMode.Announce, QueueDepth = 8 };
            using var file = SharedMemoryFile.Create(path, new SharedMemoryFileOptions { Abi = BlkifAbi.X86_64, DataPages = fo.RequiredPages + 8 });
            using var backFile = SharedMemoryFile.Open(path);
            using var disk = new MemoryDisk(1 << 20);
            using var back = new ShmBackendHost(backFile, disk, new BlkBackOptions { AbiMode = BackendAbiMode.Protocol }, seed: 7);
            var front = new ShmFrontendHost(file, seed: 3);
            var fe = new XenVbdFrontend(front.Host, front.Guest, 0, fo);
            fe.Start();
            Assert.True(front.RunUntil(() => fe.State == FrontendState.Ready, Timeout, back));
            // The frontend "dies": it is never polled again (no Close, no state change).
            Assert.False(back.RunUntil(() => file.FrontendState >= XenbusState.Closing, TimeSpan.FromMilliseconds(300)));
            for (int i = 0; i < 100; i++) back.Poll();
            Assert.Null(back.PeerFault);
            Assert.True(back.Backend.IsConnected);
        }
    }
}

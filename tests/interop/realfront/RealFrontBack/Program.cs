using System;
using System.Diagnostics;
using XenVbd.Backend;
using XenVbd.Ring;
using XenVbd.Storage;
using XenVbd.Transport;
using XenVbd.Xen;

namespace XenVbd.Interop.RealFront
{
    /// <summary>
    ///   RealFrontBack &lt;file&gt; &lt;image&gt; &lt;protocol|native&gt; &lt;rw|ro&gt; &lt;expect-abi&gt; [timeout_ms [logical-sector-size]]
    /// Waits for the file a real frontend's guest creates, serves it with an unchanged <see cref="BlkBack"/>
    /// (Protocol mode: the layout from the frontend's <c>protocol</c> key, as Linux; Native: its own
    /// layout, which is set to <c>expect-abi</c>, as a backend of the frontend's bitness from before the
    /// key existed), read-write or read-only, until the frontend has closed and come back to
    /// Initialising (or its guest is gone). PASS/FAIL lines for what blkback must get right, OBSERVED lines
    /// for what the frontend did.
    /// </summary>
    public static class Program
    {
        private static int _failed;
        private static string _label = "";

        public static int Main(string[] args)
        {
            if (args.Length < 5 || args.Length > 7)
            {
                Console.Error.WriteLine("usage: RealFrontBack <file> <image> <protocol|native> <rw|ro> <expect-abi> [timeout_ms [logical-sector-size]]");
                return 2;
            }
            try
            {
                return Run(args);
            }
            catch (Exception e)
            {
                Console.WriteLine("FAIL RealFrontBack " + string.Join(" ", args) + ": " + e.GetType().Name + ": " + e.Message);
                return 1;
            }
        }

        private static void Check(bool ok, string what)
        {
            Console.WriteLine((ok ? "PASS " : "FAIL ") + _label + ": " + what);
            if (!ok) _failed++;
        }

        private static void Observed(string what) => Console.WriteLine("OBSERVED " + _label + ": " + what);

        private static int Run(string[] args)
        {
            string path = args[0];
            var mode = args[2] == "protocol" ? BackendAbiMode.Protocol : args[2] == "native" ? BackendAbiMode.Native : throw new ArgumentException("mode " + args[2]);
            bool readOnly = args[3] == "ro" ? true : args[3] == "rw" ? false : throw new ArgumentException("access " + args[3]);
            if (!BlkifAbiNames.TryParseProtocol(args[4], out var expect)) throw new ArgumentException("unknown ABI " + args[4]);
            var timeout = TimeSpan.FromMilliseconds(args.Length >= 6 ? int.Parse(args[5]) : 20000);
            int sectorSize = args.Length == 7 ? int.Parse(args[6]) : 512;
            _label = "C# blkback (" + args[2] + (readOnly ? ", read-only" : "") + (sectorSize != 512 ? ", " + sectorSize + "-byte sectors" : "") + ") for U-Boot pvblock " + expect.ToProtocolString();

            using var file = SharedMemoryFile.OpenWhenReady(path, timeout);
            using var disk = ImageFileDisk.Open(args[1], readOnly, sectorSize);
            var log = new RequestLog();
            var options = new BlkBackOptions { AbiMode = mode, NativeAbi = mode == BackendAbiMode.Native ? expect : BlkifAbi.X86_64, ReadOnly = readOnly, Interceptor = log };
            using var host = new ShmBackendHost(file, disk, options);
            int frontPid = (int)file.ReadUInt32(ShmLayout.FrontPidOffset);

            bool connected = host.RunUntil(() => host.Backend.IsConnected || file.FrontendState >= XenbusState.Closing, timeout);
            Check(connected && host.Backend.IsConnected, "connected, reading the ring as " + (host.Backend.ChosenAbi?.ToProtocolString() ?? "-")
                + " (protocol key " + (file.FrontendProtocol ?? "none") + ", ring-page-order " + file.ReadUInt32(ShmLayout.FrontRingOrderOffset) + ")");
            Check(host.Backend.ChosenAbi == expect, "the ring is read in the frontend's layout " + expect.ToProtocolString());

            bool closed = host.RunUntil(() => file.FrontendState == XenbusState.Closed && file.BackendState == XenbusState.Closed, timeout);
            Check(closed, "frontend closed, blkback followed to Closed (backend state " + file.BackendState + ")");
            // U-Boot's shutdown_blkfront then goes back to Initialising and waits for InitWait, so the
            // next boot stage can connect again; a guest that died instead leaves Closed behind.
            bool reopened = host.RunUntil(() => (file.FrontendState == XenbusState.Initialising && file.BackendState == XenbusState.InitWait) || !Alive(frontPid), timeout);
            host.Poll();
            if (file.FrontendState == XenbusState.Initialising)
                Check(reopened && file.BackendState == XenbusState.InitWait, "frontend back at Initialising after Closed: blkback answered InitWait (state " + file.BackendState + ")");
            // Give the frontend the moment it needs to see InitWait before this end lets go of the file.
            host.RunUntil(() => !Alive(frontPid), TimeSpan.FromSeconds(2));

            var s = host.Backend.Statistics;
            // What blkback must refuse here: writes to a read-only disk, and (4096-byte sectors) I/O that
            // is not aligned to the logical sector, as Linux's dispatch_rw_block_io checks.
            var expectedReject = readOnly ? RequestRejectReason.ReadOnly : sectorSize != 512 ? RequestRejectReason.Misaligned : RequestRejectReason.None;
            long refused = expectedReject == RequestRejectReason.None ? 0 : s.Rejected(expectedReject);
            Check(s.RingHalts == 0 && s.TotalRejected == refused, s.RequestsConsumed + " requests consumed, " + (s.TotalRejected - refused) + " rejected unexpectedly, no ring halt");
            if (expectedReject != RequestRejectReason.None)
                Check(s.BytesWritten == 0 && refused > 0 && s.Errors == refused, "nothing written; " + refused + " request(s) refused as " + expectedReject + " with ERROR");
            else
                Check(s.Errors == 0 && s.NotSupported == 0, s.OkayResponses + " OKAY, " + s.Errors + " ERROR, " + s.NotSupported + " EOPNOTSUPP");
            Observed("operations in order of first use: " + (log.Requests == 0 ? "none" : log.OperationsInOrder)
                + "; READ " + s.RequestsByOp(BlkifOp.Read) + ", WRITE " + s.RequestsByOp(BlkifOp.Write)
                + ", WRITE_BARRIER " + s.RequestsByOp(BlkifOp.WriteBarrier) + ", FLUSH_DISKCACHE " + s.RequestsByOp(BlkifOp.FlushDiskCache)
                + ", INDIRECT " + log.Indirect + ", DISCARD " + s.RequestsByOp(BlkifOp.Discard));
            Observed("read/write request sizes in 512-byte sectors (size x count): " + log.SizeHistogram + "; largest " + log.LargestRequestSectors);
            Observed("events: " + host.EventsReceived + " from the frontend, " + host.EventsSent + " notifies to it");
            return _failed == 0 ? 0 : 1;
        }

        private static bool Alive(int pid)
        {
            if (pid <= 0) return false;
            try
            {
                using var p = Process.GetProcessById(pid);
                return !p.HasExited;
            }
            catch (ArgumentException)
            {
                return false;
            }
            catch (InvalidOperationException)
            {
                return false;
            }
        }
    }
}

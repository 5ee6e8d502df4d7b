using System;
using System.IO;
using XenVbd.Backend;
using XenVbd.Frontend;
using XenVbd.Ring;
using XenVbd.Storage;
using XenVbd.Transport;
using XenVbd.Xen;

namespace XenVbd.Interop.Shm
{
    /// <summary>
    ///   ShmTool layout                                               header offsets, as shm.h prints them
    ///   ShmTool front &lt;file&gt; &lt;abi&gt; &lt;probe|announce&gt; &lt;order&gt; &lt;expect-abi&gt; [timeout_ms]
    ///        creates the file, runs XenVbdFrontend against whatever backend opens it, checks the layout
    ///        the frontend ends on, writes/reads/flushes, closes. PASS/FAIL lines.
    ///   ShmTool back &lt;file&gt; &lt;image&gt; [timeout_ms]
    ///        waits for the file, serves it with BlkBack (Protocol mode) on a raw image until the frontend closes.
    /// </summary>
    public static class Program
    {
        private static int _failed;

        public static int Main(string[] args)
        {
            try
            {
                if (args.Length == 1 && args[0] == "layout") return Layout();
                if ((args.Length == 6 || args.Length == 7) && args[0] == "front") return Front(args);
                if ((args.Length == 3 || args.Length == 4) && args[0] == "back") return Back(args);
            }
            catch (Exception e)
            {
                Console.WriteLine("FAIL ShmTool " + string.Join(" ", args) + ": " + e.GetType().Name + ": " + e.Message);
                return 1;
            }
            Console.Error.WriteLine("usage: ShmTool layout | front <file> <abi> <probe|announce> <order> <expect-abi> [timeout_ms] | back <file> <image> [timeout_ms]");
            return 2;
        }

        private static void Check(bool ok, string label, string what)
        {
            Console.WriteLine((ok ? "PASS " : "FAIL ") + label + ": " + what);
            if (!ok) _failed++;
        }

        private static BlkifAbi Abi(string s)
            => BlkifAbiNames.TryParseProtocol(s, out var a) ? a : s == "x86_32" ? BlkifAbi.X86_32 : s == "x86_64" ? BlkifAbi.X86_64 : throw new ArgumentException("unknown ABI " + s);

        private static int Layout()
        {
            (string, int)[] rows =
            {
                ("magic", ShmLayout.MagicOffset), ("version", ShmLayout.VersionOffset), ("header_size", ShmLayout.HeaderSizeOffset),
                ("file_size", ShmLayout.FileSizeOffset), ("page_size", ShmLayout.PageSizeOffset), ("ring_page_order", ShmLayout.MaxRingPageOrderOffset),
                ("abi", ShmLayout.AbiOffset), ("frontend_domid", ShmLayout.FrontendDomainOffset), ("backend_domid", ShmLayout.BackendDomainOffset),
                ("guest_offset", ShmLayout.GuestOffsetOffset), ("guest_length", ShmLayout.GuestLengthOffset), ("grant_offset", ShmLayout.GrantOffsetOffset),
                ("grant_entries", ShmLayout.GrantEntriesOffset), ("ring_offset", ShmLayout.RingOffsetOffset), ("ring_length", ShmLayout.RingLengthOffset),
                ("data_offset", ShmLayout.DataOffsetOffset), ("data_length", ShmLayout.DataLengthOffset),
                ("evt_front_to_back", ShmLayout.EventFrontToBackOffset), ("evt_back_to_front", ShmLayout.EventBackToFrontOffset),
                ("front_state", ShmLayout.FrontStateOffset), ("front_ring_order", ShmLayout.FrontRingOrderOffset), ("front_pid", ShmLayout.FrontPidOffset),
                ("front_event_port", ShmLayout.FrontEventPortOffset), ("front_protocol", ShmLayout.FrontProtocolOffset), ("front_ring_ref", ShmLayout.FrontRingRefOffset),
                ("back_state", ShmLayout.BackStateOffset), ("back_max_ring_order", ShmLayout.BackMaxRingOrderOffset), ("back_sectors", ShmLayout.BackSectorsOffset),
                ("back_sector_size", ShmLayout.BackSectorSizeOffset), ("back_physical_sector_size", ShmLayout.BackPhysicalSectorSizeOffset),
                ("back_info", ShmLayout.BackInfoOffset), ("back_features", ShmLayout.BackFeaturesOffset), ("back_native_abi", ShmLayout.BackNativeAbiOffset),
                ("back_chosen_abi", ShmLayout.BackChosenAbiOffset), ("back_max_indirect", ShmLayout.BackMaxIndirectOffset), ("back_pid", ShmLayout.BackPidOffset),
                ("back_requests", ShmLayout.BackRequestsOffset),
                ("front_keys", ShmLayout.FrontKeysOffset), ("back_keys", ShmLayout.BackKeysOffset), ("keys_size", ShmLayout.KeyAreaSize),
            };
            foreach (var (name, off) in rows) Console.WriteLine("shm." + name + " " + off);
            Console.WriteLine("shm.magic_value " + ShmLayout.Magic);
            Console.WriteLine("shm.version_value " + ShmLayout.Version);
            return 0;
        }

        private static int Front(string[] args)
        {
            string path = args[1];
            var abi = Abi(args[2]);
            var mode = args[3] == "probe" ? FrontendAbiMode.Probe : args[3] == "announce" ? FrontendAbiMode.Announce : throw new ArgumentException("mode " + args[3]);
            int order = int.Parse(args[4]);
            var expect = Abi(args[5]);
            var timeout = TimeSpan.FromMilliseconds(args.Length == 7 ? int.Parse(args[6]) : 20000);
            string label = "C# frontend " + abi.ToProtocolString() + " " + args[3];

            // The hardened design: the mode and the SYNCHRONIZE CACHE this suite checks are its own.
            var fo = new FrontendOptions { Personality = FrontendPersonality.Hardened, Abi = abi, Mode = mode, MaxRingPageOrder = order, QueueDepth = 8 };
            if (File.Exists(path)) File.Delete(path);
            using var file = SharedMemoryFile.Create(path, new SharedMemoryFileOptions { Abi = abi, MaxRingPageOrder = order, DataPages = fo.RequiredPages + 32 });
            using var host = new ShmFrontendHost(file);
            using var fe = new XenVbdFrontend(host.Host, host.Guest, 0, fo);
            fe.Start();
            bool settled = host.RunUntil(() => fe.State == FrontendState.Ready || fe.State == FrontendState.Broken || fe.State == FrontendState.LayoutMismatch, timeout);
            string backNative = file.BackendNativeAbi ?? "(none)";
            Check(settled && fe.State == FrontendState.Ready, label, "connected to a backend that calls itself " + backNative + ": state " + fe.State + (fe.FailureReason != null ? " (" + fe.FailureReason + ")" : ""));
            if (fe.State != FrontendState.Ready) return 1;
            var probe = fe.ProbeResult;
            Check(fe.Abi == expect, label, "ends on layout " + fe.Abi.ToProtocolString() + " (expected " + expect.ToProtocolString() + ")"
                + (probe != null ? "; probe: second response operation 0x" + probe.SecondResponseOperation.ToString("x2") + ", switched " + probe.Switched + ", " + probe.RoundTrips + " round trip(s)" : ""));
            if (mode == FrontendAbiMode.Probe) Check(probe != null && probe.Switched == (expect != abi), label, "probe switched exactly when the backend's layout differs");
            Check(fe.RingPageOrder == order, label, "ring-page-order " + fe.RingPageOrder);
            ShmIoCheck.Run(fe, host.Guest, host, timeout, (ok, what) => Check(ok, label, what));
            Check(host.Close(timeout), label, "backend followed to Closed");
            Console.WriteLine(label + ": " + host.EventsSent + " notifies sent, " + host.EventsReceived + " events received, " + fe.Statistics.Requests + " requests");
            return _failed == 0 ? 0 : 1;
        }

        private static int Back(string[] args)
        {
            string path = args[1];
            var timeout = TimeSpan.FromMilliseconds(args.Length == 4 ? int.Parse(args[3]) : 20000);
            using var file = SharedMemoryFile.OpenWhenReady(path, timeout);
            string label = "C# blkback (Protocol) for a " + file.Abi.ToProtocolString() + " frontend";
            using var disk = ImageFileDisk.Open(args[2]);
            using var host = new ShmBackendHost(file, disk, new BlkBackOptions { AbiMode = BackendAbiMode.Protocol, NativeAbi = BlkifAbi.X86_64 });
            bool connected = host.RunUntil(() => host.Backend.IsConnected || file.FrontendState >= XenbusState.Closing, timeout);
            Check(connected && host.Backend.IsConnected, label, "connected, reading the ring as " + (host.Backend.ChosenAbi?.ToProtocolString() ?? "-") + " (frontend protocol key " + (file.FrontendProtocol ?? "none") + ")");
            Check(host.Backend.ChosenAbi == file.Abi, label, "the layout chosen from the protocol key is the one the frontend announced");
            bool closed = host.RunUntil(() => file.FrontendState == XenbusState.Closed && file.BackendState == XenbusState.Closed, timeout);
            host.Poll();
            var s = host.Backend.Statistics;
            Check(closed, label, "frontend closed, backend followed to Closed (backend state " + file.BackendState + ")");
            Check(s.RingHalts == 0, label, s.RequestsConsumed + " requests consumed, " + s.OkayResponses + " OKAY, " + s.Errors + " ERROR, " + s.NotSupported + " EOPNOTSUPP, no ring halt");
            return _failed == 0 ? 0 : 1;
        }
    }
}

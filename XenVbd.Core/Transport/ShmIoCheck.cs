using System;
using System.Collections.Generic;
using XenVbd.Frontend;
using XenVbd.Scsi;
using XenVbd.Xen;

namespace XenVbd.Transport
{
    /// <summary>
    /// The data check a C# frontend runs against a peer through the file: WRITE(10) a pattern at
    /// several LBAs from page-aligned and misaligned guest buffers (one to 16 segments' worth, so
    /// big ones split into several requests), SYNCHRONIZE CACHE, READ(10) everything back into
    /// zeroed buffers and compare every byte. Reports one line per step through <c>report</c>.
    /// </summary>
    public static class ShmIoCheck
    {
        private static readonly (uint Lba, int Blocks, int Misalign)[] Extents =
        {
            (0, 8, 0), (8, 1, 0), (100, 88, 0), (300, 24, 1), (400, 128, 512), (1000, 17, 4000),
        };

        /// <summary>Returns the number of failed steps (0 = all good).</summary>
        public static int Run(XenVbdFrontend frontend, Domain guest, ShmPeerHost host, TimeSpan timeout, Action<bool, string> report, params ShmPeerHost[] others)
        {
            if (frontend == null) throw new ArgumentNullException(nameof(frontend));
            if (guest == null) throw new ArgumentNullException(nameof(guest));
            if (host == null) throw new ArgumentNullException(nameof(host));
            if (report == null) throw new ArgumentNullException(nameof(report));
            int failures = 0;
            void Check(bool ok, string what)
            {
                report(ok, what);
                if (!ok) failures++;
            }

            int maxBytes = 0;
            foreach (var e in Extents) maxBytes = Math.Max(maxBytes, e.Blocks * 512 + e.Misalign);
            int pages = (maxBytes + XenPage.Size - 1) / XenPage.Size + 1;
            ulong buffer = (ulong)guest.Memory.AllocatePages(pages) * XenPage.Size;
            var srb = new Srb();
            var written = new List<(uint Lba, byte[] Data)>();

            bool Execute(byte[] cdb, ulong address, int length, DataDirection direction)
            {
                srb.Prepare(cdb, address, length, direction);
                frontend.Submit(srb);
                bool done = host.RunUntil(() => srb.IsComplete, timeout, others);
                return done && srb.SrbStatus == SrbStatus.Success;
            }

            foreach (var (lba, blocks, misalign) in Extents)
            {
                var data = new byte[blocks * 512];
                for (int i = 0; i < data.Length; i++) data[i] = Pattern(lba * 512L + i);
                ulong address = buffer + (ulong)misalign;
                data.CopyTo(guest.Memory.At(address, data.Length));
                bool ok = Execute(CdbBuilder.ReadWrite(write: true, lba, blocks), address, data.Length, DataDirection.Out);
                Check(ok, "WRITE(10) lba " + lba + " x " + blocks + " blocks from a buffer " + misalign + " bytes past a page: " + srb.SrbStatus + " in " + srb.RequestsUsed + " request(s)");
                written.Add((lba, data));
            }

            Check(Execute(CdbBuilder.SynchronizeCache(), 0, 0, DataDirection.None), "SYNCHRONIZE CACHE(10): " + srb.SrbStatus);

            foreach (var (lba, blocks, misalign) in Extents)
            {
                int length = blocks * 512;
                ulong address = buffer + (ulong)((misalign + 123) % 4096);
                guest.Memory.At(address, length).Clear();
                bool ok = Execute(CdbBuilder.ReadWrite(write: false, lba, blocks), address, length, DataDirection.In);
                var expect = written.Find(w => w.Lba == lba).Data;
                int bad = -1;
                var got = guest.Memory.At(address, length);
                for (int i = 0; i < length && ok; i++)
                    if (got[i] != expect[i]) { bad = i; break; }
                Check(ok && bad < 0, "READ(10) lba " + lba + " x " + blocks + " blocks reads back what was written" + (bad >= 0 ? ": first difference at byte " + bad : "") + " (" + srb.SrbStatus + ")");
            }
            return failures;
        }

        public static byte Pattern(long offset) => (byte)(((ulong)offset * 2654435761UL >> 11) ^ ((ulong)offset >> 9) ^ 0xA5);
    }
}

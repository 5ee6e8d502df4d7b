using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using XenVbd.Ring;

namespace XenVbd.Tests.Interop
{
    /// <summary>
    /// Compares every row tests/interop/layout.c prints (offsetof/sizeof on Xen's own blkif.h and
    /// ring.h, built with gcc -m32 and -m64) with <see cref="BlkifLayout.Describe"/> and
    /// <see cref="BlkifLayout.RingEntries"/>. Needs gcc, libxen-dev, gcc-multilib and a way to run
    /// 32-bit code (native or qemu-i386), found by trying (<see cref="CToolchainProbe"/>). Without them
    /// the test is reported as skipped with the install command — unless XENVBD_REQUIRE_INTEROP=1
    /// (set by .ci/run), when it fails saying what is missing.
    /// tests/interop/run.sh runs the full suite (ring pages both ways) with the C side as authority.
    /// </summary>
    public sealed class LayoutInteropTests
    {
        private const string HeaderPath = "/usr/include/xen/io/ring.h";

        [SkippableTheory]
        [InlineData(BlkifAbi.X86_32)]
        [InlineData(BlkifAbi.X86_64)]
        public void Every_gcc_layout_row_matches_the_CSharp_table(BlkifAbi abi)
        {
            var lines = RunLayoutProgram(abi);

            var rows = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var line in lines.Where(l => l.Length > 0))
            {
                int space = line.IndexOf(' ', StringComparison.Ordinal);
                Assert.True(space > 0, "layout.c printed a malformed line: '" + line + "'");
                Assert.True(rows.TryAdd(line.Substring(0, space), line.Substring(space + 1)), "Duplicate row: " + line);
            }

            var expected = ExpectedRows(abi);
            var problems = new List<string>();
            foreach (var (key, value) in rows)
            {
                if (!expected.TryGetValue(key, out var mine)) problems.Add(key + ": gcc prints '" + value + "', the C# model has no such row");
                else if (mine != value) problems.Add(key + ": gcc says '" + value + "', C# says '" + mine + "'");
            }
            foreach (var key in expected.Keys.Where(k => !rows.ContainsKey(k)))
                problems.Add(key + ": in the C# table, but layout.c does not print it");

            Assert.True(problems.Count == 0, abi + " layout differs from Xen's headers:\n  " + string.Join("\n  ", problems));
            Assert.True(rows.Count >= 50, "Only " + rows.Count + " rows compared; layout.c output looks truncated.");
        }

        /// <summary>The C# side of every row, in layout.c's format.</summary>
        private static Dictionary<string, string> ExpectedRows(BlkifAbi abi)
        {
            var inv = CultureInfo.InvariantCulture;
            var rows = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["abi"] = abi.ToProtocolString(),
                ["const.XEN_IO_PROTO_ABI_NATIVE"] = abi.ToProtocolString(),
                ["blkif_sring_entry.(size)"] = "0 " + BlkifLayout.EntryStride(abi).ToString(inv),
            };
            foreach (var f in BlkifLayout.Describe(abi))
            {
                Assert.Equal(abi, f.Abi);
                rows.Add(f.Structure + "." + f.Field, f.Offset.ToString(inv) + " " + f.Size.ToString(inv));
            }
            for (int order = 0; order <= BlkifLayout.MaxRingPageOrder; order++)
                rows.Add("ring.order" + order.ToString(inv), (XenPage.Size << order).ToString(inv) + " " + BlkifLayout.RingEntries(abi, order).ToString(inv));

            void Const(string name, long value) => rows.Add("const." + name, value.ToString(inv));
            Const("XEN_PAGE_SHIFT", (long)Math.Log2(XenPage.Size));
            Const("BLKIF_MAX_SEGMENTS_PER_REQUEST", BlkifLayout.MaxSegmentsPerRequest);
            Const("BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST", BlkifLayout.MaxIndirectPagesPerRequest);
            Const("BLKIF_OP_READ", BlkifOp.Read);
            Const("BLKIF_OP_WRITE", BlkifOp.Write);
            Const("BLKIF_OP_WRITE_BARRIER", BlkifOp.WriteBarrier);
            Const("BLKIF_OP_FLUSH_DISKCACHE", BlkifOp.FlushDiskCache);
            Const("BLKIF_OP_RESERVED_1", BlkifOp.Reserved1);
            Const("BLKIF_OP_DISCARD", BlkifOp.Discard);
            Const("BLKIF_OP_INDIRECT", BlkifOp.Indirect);
            Const("BLKIF_DISCARD_SECURE", BlkifOp.DiscardFlagSecure);
            Const("BLKIF_RSP_OKAY", BlkifStatus.Okay);
            Const("BLKIF_RSP_ERROR", BlkifStatus.Error);
            Const("BLKIF_RSP_EOPNOTSUPP", BlkifStatus.NotSupported);
            Const("VDISK_CDROM", VdiskInfo.CdRom);
            Const("VDISK_REMOVABLE", VdiskInfo.Removable);
            Const("VDISK_READONLY", VdiskInfo.ReadOnly);
            return rows;
        }

        /// <summary>layout.c's output for an ABI; skips (or fails when required) when it cannot be had.</summary>
        private static string[] RunLayoutProgram(BlkifAbi abi)
        {
            int bits = abi == BlkifAbi.X86_64 ? 64 : 32;
            string? root = FindRepositoryRoot();
            if (root == null) throw CToolchainProbe.Missing("the repository root (XenVbd.sln) was not found above " + AppContext.BaseDirectory);
            string source = Path.Combine(root, "tests", "interop", "layout.c");
            string common = Path.Combine(root, "tests", "interop", "common.h");
            string? gcc = CToolchainProbe.FindOnPath("gcc");
            if (gcc == null) throw CToolchainProbe.Missing("gcc is not on PATH (apt-get install gcc gcc-multilib)");
            if (!File.Exists(HeaderPath)) throw CToolchainProbe.Missing(HeaderPath + " not found (apt-get install libxen-dev)");
            string[] runner = CToolchainProbe.Runner(gcc, bits);

            // Reuse run.sh's build when it is current; otherwise build a private copy.
            string binary = Path.Combine(root, "tests", "interop", "build", "layout-m" + bits);
            if (!File.Exists(binary) || File.GetLastWriteTimeUtc(binary) < File.GetLastWriteTimeUtc(source) || File.GetLastWriteTimeUtc(binary) < File.GetLastWriteTimeUtc(common))
            {
                string dir = Path.Combine(Path.GetTempPath(), "xenvbd-interop-" + Environment.ProcessId);
                Directory.CreateDirectory(dir);
                binary = Path.Combine(dir, "layout-m" + bits);
                var (status, _, error) = CToolchainProbe.Run(gcc, "-m" + bits, "-std=gnu11", "-Wall", "-Wextra", "-Werror", "-O2", "-fno-strict-aliasing",
                    "-D__XEN_INTERFACE_VERSION__=0x00040e00", "-o", binary, source);
                // The toolchain built and ran a one-line program of this bitness, so a failure here is layout.c's own.
                if (status != 0) Assert.Fail("layout.c does not compile with -m" + bits + ":\n" + error);
            }

            try
            {
                var (status, output, error) = runner.Length == 0 ? CToolchainProbe.Run(binary) : CToolchainProbe.Run(runner[0], binary);
                Assert.True(status == 0, "layout-m" + bits + " exited with " + status + ": " + error);
                return output.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            }
            finally
            {
                if (binary.StartsWith(Path.GetTempPath(), StringComparison.Ordinal)) File.Delete(binary);
            }
        }

        private static string? FindRepositoryRoot()
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "XenVbd.sln"))) return dir.FullName;
            return null;
        }
    }
}

using System;
using System.Diagnostics;
using System.IO;
using XenVbd.Device;
using XenVbd.Frontend;
using XenVbd.Ring;
using XenVbd.Scsi;

namespace XenVbd.Tests.Device
{
    /// <summary>
    /// A VbdDevice whose backend is a real QEMU (xen-disk) under the Xen stand-in: the same frontend as a model device,
    /// in real time, every byte checked in the image QEMU serves, and the process gone after the device.
    /// </summary>
    public sealed class QemuDeviceTests
    {
        private static string RepoRoot()
        {
            string? dir = AppContext.BaseDirectory;
            while (dir != null && !File.Exists(Path.Combine(dir, "XenVbd.sln"))) dir = Path.GetDirectoryName(dir);
            return dir ?? throw new InvalidOperationException("XenVbd.sln not found above " + AppContext.BaseDirectory);
        }

        /// <summary>QEMU and a compiled stand-in, or a skip that names the install command (a failure under XENVBD_REQUIRE_INTEROP=1).</summary>
        private static QemuOptions QemuOrSkip()
        {
            bool require = Environment.GetEnvironmentVariable("XENVBD_REQUIRE_INTEROP") == "1";
            try
            {
                if (!File.Exists(QemuOptions.DefaultQemuPath))
                    throw new BackendPrerequisiteException("no QEMU", QemuOptions.DefaultQemuPath, QemuOptions.QemuInstallCommand);
                string root = RepoRoot();
                string lib = XenStandinLibrary.Ensure(Path.Combine(root, "XenVbd.PowerShell/native/xen-standin", XenStandinLibrary.SourceFileName), Path.Combine(root, "tests/interop/shm"));
                return new QemuOptions { StandinLibraryPath = lib, Timeout = TimeSpan.FromSeconds(60) };
            }
            catch (BackendPrerequisiteException ex) when (!require)
            {
                throw new SkipException(ex.Missing + " is missing (" + ex.InstallCommand + ")");
            }
        }

        private static byte[] Cdb10(byte op, uint lba, ushort blocks)
        {
            var cdb = new byte[10];
            cdb[0] = op;
            cdb[2] = (byte)(lba >> 24); cdb[3] = (byte)(lba >> 16); cdb[4] = (byte)(lba >> 8); cdb[5] = (byte)lba;
            cdb[7] = (byte)(blocks >> 8); cdb[8] = (byte)blocks;
            return cdb;
        }

        [SkippableTheory]
        [InlineData(BlkifAbi.X86_32, FrontendAbiMode.Probe, BlkifAbi.X86_64)]      // no protocol key: QEMU reads its native layout, the probe switches
        [InlineData(BlkifAbi.X86_32, FrontendAbiMode.Announce, BlkifAbi.X86_32)]   // QEMU honours protocol
        public void Qemu_serves_the_frontend_and_every_byte_lands_in_the_image(BlkifAbi abi, FrontendAbiMode mode, BlkifAbi expected)
        {
            var qemu = QemuOrSkip();
            int pid;
            string image;
            var data = new byte[8 * 512];
            new Random(7).NextBytes(data);
            using (var device = VbdDevice.Create(new VbdDeviceOptions { Personality = FrontendPersonality.Hardened, Name = "q", Backend = VbdBackendKind.Qemu, Qemu = qemu, FrontendAbi = abi, FrontendMode = mode, SizeBytes = 16 << 20, MaxRingPageOrder = 1 }))
            {
                var host = Assert.IsType<QemuBackendHost>(device.BackendHost);
                pid = host.ProcessId;
                image = host.ImagePath;
                Assert.Equal(FrontendState.Ready, device.State);
                Assert.Equal(expected, device.FrontendAbi);
                Assert.Throws<BackendNotModelledException>(() => device.Backend);

                var write = device.Execute(Cdb10(ScsiOp.Write10, 2048, 8), data, 0, bufferAlignment: 3);
                Assert.Equal(SrbStatus.Success, write.SrbStatus.Base());
                Assert.True(write.BouncePasses > 0, "a buffer 3 bytes past a page is bounced");
                var read = device.Execute(Cdb10(ScsiOp.Read10, 2048, 8), null, data.Length, bufferAlignment: 511);
                Assert.Equal(SrbStatus.Success, read.SrbStatus.Base());
                Assert.Equal(data, read.Data);

                // The bytes are in the file QEMU serves, read past both the frontend and QEMU.
                var onDisk = new byte[data.Length];
                using (var f = new FileStream(image, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
                {
                    f.Position = 2048L * 512;
                    Assert.Equal(onDisk.Length, f.Read(onDisk, 0, onDisk.Length));
                }

                Assert.Equal(data, onDisk);
                Assert.Contains(device.XenStoreKeys, kv => kv.Key == device.BackendPath + "/feature-flush-cache" && kv.Value == "1");
                Assert.DoesNotContain(device.XenStoreKeys, kv => kv.Key == device.BackendPath + "/feature-barrier");
            }

            Assert.False(File.Exists(image), "the temporary image goes with the device");
            Assert.DoesNotContain(pid, QemuProcessIds());
        }

        [SkippableFact]
        public void Missing_qemu_names_the_install_command()
        {
            var ex = Assert.Throws<BackendPrerequisiteException>(() => VbdDevice.Create(new VbdDeviceOptions
            {
                Backend = VbdBackendKind.Qemu,
                Qemu = new QemuOptions { QemuPath = "/nonexistent/xen-qemu-system-i386", StandinLibraryPath = "/nonexistent.so" },
            }));
            Assert.Equal(QemuOptions.QemuInstallCommand, ex.InstallCommand);
            Assert.Contains("/nonexistent/xen-qemu-system-i386", ex.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void A_missing_compiler_names_the_install_command()
        {
            string root = RepoRoot();
            string cache = Path.Combine(Path.GetTempPath(), "xenvbd-standin-test-" + Guid.NewGuid().ToString("N"));
            try
            {
                if (!File.Exists("/usr/include/xenstore.h")) return;   // then the header check speaks first; covered by the message below
                var ex = Assert.Throws<BackendPrerequisiteException>(() => XenStandinLibrary.Ensure(
                    Path.Combine(root, "XenVbd.PowerShell/native/xen-standin", XenStandinLibrary.SourceFileName), Path.Combine(root, "tests/interop/shm"), cache, compiler: "/nonexistent/gcc"));
                Assert.Equal(XenStandinLibrary.InstallCommand, ex.InstallCommand);
            }
            finally
            {
                if (Directory.Exists(cache)) Directory.Delete(cache, true);
            }
        }

        [Fact]
        public void Qemu_options_refuse_what_belongs_to_the_model()
        {
            Assert.Throws<ArgumentException>(() => new VbdDeviceOptions { Backend = VbdBackendKind.Qemu, VolatileWriteCache = true }.Validate());
            Assert.Throws<ArgumentOutOfRangeException>(() => new VbdDeviceOptions { Backend = VbdBackendKind.Qemu, DeviceId = 51713 }.Validate());
            Assert.Throws<ArgumentException>(() => new VbdDeviceOptions { Qemu = new QemuOptions() }.Validate());
            Assert.Equal("xvdb", QemuBackendHost.VirtualDeviceName(51728));
        }

        private static int[] QemuProcessIds()
        {
            var ids = new System.Collections.Generic.List<int>();
            foreach (var p in Process.GetProcesses())
            {
                try
                {
                    if (p.ProcessName.Contains("qemu", StringComparison.Ordinal)) ids.Add(p.Id);
                }
                catch (InvalidOperationException)
                {
                }
                finally
                {
                    p.Dispose();
                }
            }

            return ids.ToArray();
        }
    }
}

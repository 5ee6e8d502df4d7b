using System.Collections.Generic;
using XenVbd.Backend;
using XenVbd.Device;
using XenVbd.Frontend;
using XenVbd.Ring;
using XenVbd.Scsi;

namespace XenVbd.Tests.Device
{
    /// <summary>
    /// Every frontend layout × backend layout × backend mode × frontend mode: either the layouts
    /// agree, or the probe finds out and switches, and what is written reads back intact — or, where
    /// nothing can work (Announce to a Native backend of the other layout), the device says so and no
    /// byte reaches the disk.
    /// </summary>
    public sealed class AbiMatrixTests
    {
        public static IEnumerable<object[]> Matrix()
        {
            foreach (var fe in new[] { BlkifAbi.X86_32, BlkifAbi.X86_64 })
                foreach (var be in new[] { BlkifAbi.X86_32, BlkifAbi.X86_64 })
                    foreach (var bm in new[] { BackendAbiMode.Protocol, BackendAbiMode.Native })
                        foreach (var fm in new[] { FrontendAbiMode.Probe, FrontendAbiMode.Announce, FrontendAbiMode.AnnounceAndProbe })
                            yield return new object[] { fe, be, bm, fm };
        }

        /// <summary>The layout blkback reads: its own if Native, else the announced one, else x86_32 (Linux on x86).</summary>
        internal static BlkifAbi BackendReads(BlkifAbi fe, BlkifAbi be, BackendAbiMode bm, FrontendAbiMode fm)
            => bm == BackendAbiMode.Native ? be : fm == FrontendAbiMode.Probe ? BlkifAbi.X86_32 : fe;

        [Theory]
        [MemberData(nameof(Matrix))]
        public void Every_abi_combination_moves_data_intact_or_reports_the_mismatch(BlkifAbi fe, BlkifAbi be, BackendAbiMode bm, FrontendAbiMode fm)
        {
            using var dev = VbdDevice.Create(new VbdDeviceOptions
            {
                Personality = FrontendPersonality.Hardened,
                FrontendAbi = fe,
                BackendAbi = be,
                BackendMode = bm,
                FrontendMode = fm,
                SizeBytes = 8 << 20,
                Seed = 7,
            });
            var reads = BackendReads(fe, be, bm, fm);
            Assert.Equal(reads, dev.Backend.ChosenAbi);
            var data = Cdb.Pattern(48 * 1024, (int)fe + (int)be * 3 + (int)bm * 7 + (int)fm * 11);

            if (fm == FrontendAbiMode.Announce && reads != fe)
            {
                Assert.Equal(FrontendState.LayoutMismatch, dev.State);
                Assert.Contains("cannot switch", dev.Frontend.FailureReason);
                var w = dev.Execute(Cdb.Write10(64, 96), data);
                Assert.Equal(SrbStatus.Error, w.SrbStatus.Base());
                Assert.Equal(SenseKey.HardwareError, w.SenseInfo!.Value.Key);
                var disk = new byte[data.Length];
                dev.Storage.Read(64 * 512, disk);
                Assert.All(disk, b => Assert.Equal(0, b));
                return;
            }

            Assert.Equal(FrontendState.Ready, dev.State);
            Assert.Equal(reads, dev.FrontendAbi);
            if (fm == FrontendAbiMode.Announce)
            {
                Assert.Null(dev.ProbeResult);
            }
            else
            {
                var probe = dev.ProbeResult!;
                Assert.Equal(fe, probe.StartedWith);
                Assert.Equal(reads, probe.Detected);
                Assert.Equal(reads != fe, probe.Switched);
                Assert.Equal(reads != fe ? 1 : 0, dev.GetStatistics().AbiSwitches);
            }

            Assert.True(dev.Execute(Cdb.Write10(64, 96), data, bufferAlignment: 0).IsSuccess);
            Assert.True(dev.Execute(Cdb.Write10(300, 96), data, bufferAlignment: 7).IsSuccess);
            var r1 = dev.Execute(Cdb.Read10(64, 96), dataInLength: data.Length);
            var r2 = dev.Execute(Cdb.Read10(300, 96), dataInLength: data.Length, bufferAlignment: 333);
            Assert.True(r1.IsSuccess);
            Assert.True(r2.IsSuccess);
            Assert.Equal(data, r1.Data);
            Assert.Equal(data, r2.Data);
            var onDisk = new byte[data.Length];
            dev.Storage.Read(300 * 512, onDisk);
            Assert.Equal(data, onDisk);
        }
    }
}

using System;
using System.IO;
using XenVbd.Device;
using XenVbd.Frontend;
using XenVbd.Scsi;
using XenVbd.Storage;
using XenVbd.Tests.Scsi;
using XenVbd.Tests.Storage;

namespace XenVbd.Tests.Reliability
{
    /// <summary>Bad input at the engine surface: every one a clear exception naming the problem, nothing half-made, no data lost.</summary>
    public class BadInputTests : IDisposable
    {
        private readonly TempDirectory _temp = new TempDirectory();

        public void Dispose() => _temp.Dispose();

        public static TheoryData<string, Action<VbdDeviceOptions>> BadOptions => new TheoryData<string, Action<VbdDeviceOptions>>
        {
            { "Name", o => o.Name = " " },
            { "DeviceId", o => o.DeviceId = 0 },
            { "LogicalSectorSize", o => o.LogicalSectorSize = 1024 },
            { "PhysicalSectorSize", o => o.PhysicalSectorSize = 256 },
            { "PhysicalSectorSize", o => o.PhysicalSectorSize = 3000 },
            { "SizeBytes", o => o.SizeBytes = 0 },
            { "SizeBytes", o => o.SizeBytes = 1000 },
            { "SizeBytes", o => o.SizeBytes = -512 },
            { "FrontendAbi", o => o.FrontendAbi = (XenVbd.Ring.BlkifAbi)7 },
            { "BackendAbi", o => o.BackendAbi = (XenVbd.Ring.BlkifAbi)(-1) },
            { "FrontendMode", o => o.FrontendMode = (FrontendAbiMode)99 },
            { "BackendMode", o => o.BackendMode = (XenVbd.Backend.BackendAbiMode)99 },
            { "Bounce", o => o.Bounce = (BounceStrategyKind)42 },
            { "MaxRingPageOrder", o => o.MaxRingPageOrder = 5 },
            { "MaxRingPageOrder", o => o.MaxRingPageOrder = -1 },
            { "MaxIndirectSegments", o => o.MaxIndirectSegments = 4097 },
            { "RequestTimeout", o => o.RequestTimeout = TimeSpan.Zero },
            { "QueueDepth", o => o.QueueDepth = 0 },
            { "QueueDepth", o => o.QueueDepth = 5000 },
            { "BackendServiceTime", o => o.BackendServiceTime = TimeSpan.FromTicks(-1) },
            { "GuestBufferBytes", o => o.GuestBufferBytes = 100 },
        };

        [Theory]
        [MemberData(nameof(BadOptions))]
        public void Each_bad_option_is_refused_naming_it_and_creates_no_image(string name, Action<VbdDeviceOptions> spoil)
        {
            var o = new VbdDeviceOptions { ImagePath = _temp.File("never.img"), SizeBytes = 1 << 20 };
            spoil(o);
            var e = Assert.ThrowsAny<ArgumentException>(() => VbdDevice.Create(o));
            Assert.Equal(name, e.ParamName);
            Assert.Contains(name, e.Message);
            Assert.False(File.Exists(o.ImagePath), "a refused device left an image behind");
        }

        [Theory]
        [InlineData(0)]
        [InlineData(1)]
        [InlineData(1000)]
        [InlineData(4097)]
        public void Truncated_or_empty_image_is_not_a_disk_image_and_is_left_untouched(int length)
        {
            string path = _temp.File("bad.img");
            var bytes = new byte[length];
            new Random(length).NextBytes(bytes);
            File.WriteAllBytes(path, bytes);
            var e = Assert.Throws<StorageException>(() => VbdDevice.Create(new VbdDeviceOptions { ImagePath = path, SizeBytes = 1 << 20 }));
            Assert.Equal(StorageError.NotADiskImage, e.Error);
            Assert.Contains(path, e.Message);
            Assert.Contains(length.ToString(), e.Message);
            Assert.Equal(bytes, File.ReadAllBytes(path));
        }

        [Fact]
        public void Image_whose_length_is_not_whole_4K_sectors_is_refused_for_a_4K_device()
        {
            string path = _temp.File("odd.img");
            File.WriteAllBytes(path, new byte[4096 + 512]);
            var e = Assert.Throws<StorageException>(() => VbdDevice.Create(new VbdDeviceOptions { ImagePath = path, SizeBytes = 8192, LogicalSectorSize = 4096 }));
            Assert.Equal(StorageError.NotADiskImage, e.Error);
            Assert.Equal(4096 + 512, new FileInfo(path).Length);
        }

        [Fact]
        public void Image_held_by_another_device_is_image_locked_and_the_holder_keeps_working()
        {
            string path = _temp.File("shared.img");
            using var first = VbdDevice.Create(new VbdDeviceOptions { ImagePath = path, SizeBytes = 1 << 20 });
            var data = new byte[512];
            data.AsSpan().Fill(0x5C);
            Assert.True(first.Execute(CdbEncoder.Transfer(ScsiOp.Write10, 3, 1), data).IsSuccess);
            var e = Assert.Throws<StorageException>(() => VbdDevice.Create(new VbdDeviceOptions { ImagePath = path, SizeBytes = 1 << 20 }));
            Assert.Equal(StorageError.ImageLocked, e.Error);
            var back = first.Execute(CdbEncoder.Transfer(ScsiOp.Read10, 3, 1), dataInLength: 512);
            Assert.True(back.IsSuccess);
            Assert.Equal(data, back.Data);
        }

        [Fact]
        public void Read_only_image_refuses_writes_with_data_protect_and_keeps_its_bytes()
        {
            string path = _temp.File("ro.img");
            var original = new byte[1 << 20];
            new Random(7).NextBytes(original);
            File.WriteAllBytes(path, original);
            using (var dev = VbdDevice.Create(new VbdDeviceOptions { ImagePath = path, SizeBytes = 1 << 20, ReadOnly = true }))
            {
                var r = dev.Execute(CdbEncoder.Transfer(ScsiOp.Write10, 8, 2), new byte[1024]);
                Assert.False(r.IsSuccess);
                Assert.Equal(ScsiStatus.CheckCondition, r.ScsiStatus);
                Assert.Equal(SenseKey.DataProtect, r.SenseInfo!.Value.Key);
                var read = dev.Execute(CdbEncoder.Transfer(ScsiOp.Read10, 8, 2), dataInLength: 1024);
                Assert.True(read.IsSuccess);
                Assert.Equal(original.AsSpan(8 * 512, 1024).ToArray(), read.Data);
                // The storage itself refuses too, whoever asks.
                var e = Assert.Throws<StorageException>(() => dev.Storage.Write(0, new byte[512]));
                Assert.Equal(StorageError.ReadOnly, e.Error);
            }
            Assert.Equal(original, File.ReadAllBytes(path));
        }

        [Fact]
        public void Execute_refuses_bad_arguments_naming_them_and_the_device_keeps_working()
        {
            using var dev = VbdDevice.Create(new VbdDeviceOptions { SizeBytes = 1 << 20, GuestBufferBytes = 64 << 10 });
            Assert.Equal("cdb", Assert.Throws<ArgumentException>(() => dev.Execute(ReadOnlySpan<byte>.Empty)).ParamName);
            Assert.Equal("cdb", Assert.Throws<ArgumentException>(() => dev.Execute(new byte[17])).ParamName);
            Assert.Equal("dataInLength", Assert.Throws<ArgumentException>(() => dev.Execute(CdbEncoder.Transfer(ScsiOp.Write10, 0, 1), new byte[512], 512)).ParamName);
            Assert.Equal("dataInLength", Assert.Throws<ArgumentOutOfRangeException>(() => dev.Execute(CdbEncoder.Transfer(ScsiOp.Read10, 0, 1), dataInLength: -1)).ParamName);
            Assert.Equal("bufferAlignment", Assert.Throws<ArgumentOutOfRangeException>(() => dev.Execute(CdbEncoder.Transfer(ScsiOp.Read10, 0, 1), dataInLength: 512, bufferAlignment: 4096)).ParamName);
            Assert.Equal("dataInLength", Assert.Throws<ArgumentOutOfRangeException>(() => dev.Execute(CdbEncoder.Transfer(ScsiOp.Read10, 0, 128), dataInLength: 1 << 20)).ParamName);
            Assert.Equal("newSizeBytes", Assert.Throws<ArgumentOutOfRangeException>(() => dev.Resize(1000)).ParamName);
            Assert.Equal(FrontendState.Ready, dev.State);
            Assert.True(dev.Execute(CdbEncoder.Transfer(ScsiOp.Read10, 0, 1), dataInLength: 512).IsSuccess);
        }
    }
}

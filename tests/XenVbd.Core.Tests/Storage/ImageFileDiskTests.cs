using System;
using System.IO;
using XenVbd.Storage;

using XenVbd.Tests.Support;

namespace XenVbd.Tests.Storage
{
    public sealed class ImageFileDiskTests : IDisposable
    {
        private readonly TempDirectory _temp = new TempDirectory();

        public void Dispose() => _temp.Dispose();

        [Theory]
        [InlineData(512)]
        [InlineData(4096)]
        public void Data_written_at_random_offsets_survives_flush_dispose_and_reopen(int sectorSize)
        {
            const long size = 2L << 20;
            string path = _temp.File("disk.img");
            var model = new byte[size];
            var random = new Random(sectorSize + 1);
            using (var disk = ImageFileDisk.Create(path, size, sectorSize))
            {
                for (int i = 0; i < 100; i++)
                {
                    long sectors = size / sectorSize;
                    long first = random.Next((int)sectors);
                    int count = random.Next(1, (int)Math.Min(32, sectors - first) + 1);
                    byte[] data = TestData.Bytes(count * sectorSize, i);
                    disk.Write(first * sectorSize, data);
                    data.CopyTo(model, first * sectorSize);
                }

                disk.Flush();
            }

            ByteAssert.Equal(model, File.ReadAllBytes(path));
            using var reopened = ImageFileDisk.Open(path, logicalSectorSize: sectorSize);
            var actual = new byte[size];
            reopened.Read(0, actual);
            ByteAssert.Equal(model, actual);
            Assert.Equal(size, reopened.SizeBytes);
        }

        [Fact]
        public void Create_makes_a_zero_filled_image_of_the_requested_size()
        {
            string path = _temp.File("new.img");

            using var disk = ImageFileDisk.Create(path, 8L << 30);

            Assert.Equal(8L << 30, new FileInfo(path).Length);
            var buffer = TestData.Bytes(4096, 1);
            disk.Read(5L << 30, buffer);
            ByteAssert.Zeros(buffer);
            Assert.Equal(Path.GetFullPath(path), disk.Path);
        }

        [Fact]
        public void Create_refuses_to_replace_an_existing_file_unless_asked()
        {
            string path = _temp.File("existing.img");
            File.WriteAllBytes(path, TestData.Bytes(512, 2));

            Assert.Throws<IOException>(() => ImageFileDisk.Create(path, 1 << 20));
            Assert.Equal(512, new FileInfo(path).Length);

            using var disk = ImageFileDisk.Create(path, 1 << 20, overwrite: true);
            Assert.Equal(1 << 20, new FileInfo(path).Length);
        }

        [Fact]
        public void Second_open_of_a_writable_image_is_image_locked()
        {
            string path = _temp.File("locked.img");
            using var first = ImageFileDisk.Create(path, 1 << 20);

            var writable = Assert.Throws<StorageException>(() => ImageFileDisk.Open(path));
            var readOnly = Assert.Throws<StorageException>(() => ImageFileDisk.Open(path, readOnly: true));

            Assert.Equal(StorageError.ImageLocked, writable.Error);
            Assert.Equal(StorageError.ImageLocked, readOnly.Error);
            Assert.Contains(path, writable.Message);
            Assert.Contains("Remove-VbdDevice", writable.RecommendedAction);
            if (System.OperatingSystem.IsLinux())
            {
                // The holder is this test process: its flock lock is in /proc/locks and its descriptor names the path.
                string self = "this process (pid " + System.Environment.ProcessId;
                Assert.Contains(self, writable.Message);
                Assert.Contains(self, readOnly.Message);
                var holder = Assert.Single(ImageLockHolder.Find(Path.GetFullPath(path)));
                Assert.True(holder.IsThisProcess);
            }
        }

        [Fact]
        public void Image_can_be_reopened_once_the_first_opener_disposes_it()
        {
            string path = _temp.File("relock.img");
            ImageFileDisk.Create(path, 1 << 20).Dispose();

            using var disk = ImageFileDisk.Open(path);

            Assert.False(disk.IsReadOnly);
        }

        [Fact]
        public void Read_only_opens_share_the_image_but_keep_writers_out()
        {
            string path = _temp.File("shared.img");
            ImageFileDisk.Create(path, 1 << 20).Dispose();

            using var reader1 = ImageFileDisk.Open(path, readOnly: true);
            using var reader2 = ImageFileDisk.Open(path, readOnly: true);
            var writer = Assert.Throws<StorageException>(() => ImageFileDisk.Open(path));

            Assert.Equal(StorageError.ImageLocked, writer.Error);
            Assert.True(reader1.IsReadOnly);
            Assert.Equal(StorageError.ReadOnly, Assert.Throws<StorageException>(() => reader2.Write(0, new byte[512])).Error);
            reader1.Flush();
        }

        [Theory]
        [InlineData(0)]
        [InlineData(1000)]
        [InlineData(4096 + 512)]
        public void File_whose_length_is_not_whole_sectors_is_not_a_disk_image(int length)
        {
            string path = _temp.File("odd.img");
            File.WriteAllBytes(path, new byte[length]);

            var e = Assert.Throws<StorageException>(() => ImageFileDisk.Open(path, logicalSectorSize: 4096));

            Assert.Equal(StorageError.NotADiskImage, e.Error);
            using var reopen = File.Open(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
        }

        [Fact]
        public void Missing_file_is_file_not_found()
        {
            Assert.Throws<FileNotFoundException>(() => ImageFileDisk.Open(_temp.File("absent.img")));
        }

        [Fact]
        public void Resize_changes_the_file_length_and_a_regrown_tail_reads_zeros()
        {
            string path = _temp.File("resize.img");
            using var disk = ImageFileDisk.Create(path, 1 << 20);
            byte[] data = TestData.Bytes(1 << 20, 3);
            disk.Write(0, data);

            disk.Resize(4096);
            Assert.Equal(4096, new FileInfo(path).Length);
            disk.Resize(3 << 20);

            Assert.Equal(3 << 20, new FileInfo(path).Length);
            Assert.Equal(3 << 20, disk.SizeBytes);
            var back = new byte[8192];
            disk.Read(0, back);
            ByteAssert.Equal(data.AsSpan(0, 4096), back.AsSpan(0, 4096));
            ByteAssert.Zeros(back.AsSpan(4096));
            Assert.Throws<StorageException>(() => disk.Read(3 << 20, new byte[512]));
        }

        [Theory]
        [InlineData(false)]
        [InlineData(true)]
        public void Discarded_range_reads_zeros_and_its_neighbours_keep_their_data(bool secure)
        {
            string path = _temp.File("discard.img");
            using var disk = ImageFileDisk.Create(path, 1 << 20);
            byte[] data = TestData.Bytes(256 * 1024, 4);
            disk.Write(0, data);

            disk.Discard(4096, 200 * 1024, secure);

            var back = new byte[data.Length];
            disk.Read(0, back);
            Array.Clear(data, 4096, 200 * 1024);
            ByteAssert.Equal(data, back);
        }

        [Fact]
        public void Read_and_write_allocate_nothing()
        {
            string path = _temp.File("alloc.img");
            using var disk = ImageFileDisk.Create(path, 1 << 20);
            byte[] data = TestData.Bytes(44 * 1024, 5);
            var back = new byte[data.Length];
            disk.Write(4096, data);
            disk.Read(4096, back);

            Assert.Equal(0, SteadyState.AllocatedBytes(() =>
            {
                for (int i = 0; i < 50; i++)
                {
                    disk.Write(4096, data);
                    disk.Read(4096, back);
                }
            }));
        }
    }
}

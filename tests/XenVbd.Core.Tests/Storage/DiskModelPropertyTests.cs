using System;
using CsCheck;
using XenVbd.Storage;

namespace XenVbd.Tests.Storage
{
    /// <summary>
    /// Random operation sequences run against each disk and a byte-array model; every read and the final
    /// contents must match. Sizes are a few chunks so sequences cross chunk and line boundaries often.
    /// </summary>
    public sealed class DiskModelPropertyTests : IDisposable
    {
        private const int MaxSectorsPerOp = 40;
        private static readonly Gen<DiskOp[]> Sequences = Gen.Select(
                Gen.Int[0, 11], Gen.Int[0, int.MaxValue], Gen.Int[0, int.MaxValue], Gen.Int, Gen.Bool,
                (kind, sector, count, seed, secure) => new DiskOp(KindOf(kind), sector, count, seed, secure))
            .Array[1, 40];

        private readonly TempDirectory _temp = new TempDirectory();

        public void Dispose() => _temp.Dispose();

        [Theory]
        [InlineData(512)]
        [InlineData(4096)]
        public void Memory_disk_matches_the_model(int sectorSize)
        {
            Sequences.Sample(ops => Run(ops, sectorSize, size => new MemoryDisk(size, sectorSize), volatileWrites: false), iter: 100);
        }

        [Theory]
        [InlineData(512)]
        [InlineData(4096)]
        public void Image_file_disk_matches_the_model(int sectorSize)
        {
            Sequences.Sample(
                ops => Run(ops, sectorSize, size => ImageFileDisk.Create(_temp.File(Guid.NewGuid().ToString("N") + ".img"), size, sectorSize), volatileWrites: false),
                iter: 60);
        }

        [Theory]
        [InlineData(512)]
        [InlineData(4096)]
        public void Write_cache_over_memory_disk_matches_the_model_through_power_cuts(int sectorSize)
        {
            Sequences.Sample(
                ops => Run(ops, sectorSize, size => new WriteCacheDisk(new MemoryDisk(size, sectorSize), preallocatedLines: 1), volatileWrites: true),
                iter: 100);
        }

        private static DiskOpKind KindOf(int roll) => roll switch
        {
            <= 3 => DiskOpKind.Write,
            <= 6 => DiskOpKind.Read,
            7 => DiskOpKind.Discard,
            8 => DiskOpKind.Flush,
            9 => DiskOpKind.Resize,
            _ => DiskOpKind.PowerCut,
        };

        private static void Run(DiskOp[] ops, int sectorSize, Func<long, IBlockStorage> create, bool volatileWrites)
        {
            long initialSectors = 5L * 64 * 1024 / sectorSize + 3;
            var model = new ByteArrayDiskModel(initialSectors * sectorSize, volatileWrites);
            using IBlockStorage disk = create(initialSectors * sectorSize);
            foreach (DiskOp op in ops)
            {
                long sectors = disk.SizeBytes / sectorSize;
                (long first, int count) = op.Place(sectors, MaxSectorsPerOp);
                long offset = first * sectorSize;
                int length = count * sectorSize;
                switch (op.Kind)
                {
                    case DiskOpKind.Write:
                        byte[] data = TestData.Bytes(length, op.Seed);
                        disk.Write(offset, data);
                        model.Write(offset, data);
                        break;
                    case DiskOpKind.Read:
                        var buffer = new byte[length];
                        disk.Read(offset, buffer);
                        ByteAssert.Equal(model.Current.AsSpan((int)offset, length), buffer);
                        break;
                    case DiskOpKind.Discard:
                        disk.Discard(offset, length, op.Secure);
                        model.Discard(offset, length);
                        break;
                    case DiskOpKind.Flush:
                        disk.Flush();
                        model.Flush();
                        break;
                    case DiskOpKind.Resize:
                        long newSize = (1 + op.RawSector % (2 * initialSectors)) * sectorSize;
                        disk.Resize(newSize);
                        model.Resize(newSize);
                        break;
                    case DiskOpKind.PowerCut when disk is WriteCacheDisk cache:
                        cache.PowerCut();
                        model.PowerCut();
                        break;
                    case DiskOpKind.PowerCut:
                        break;
                }

                Assert.Equal(model.Current.LongLength, disk.SizeBytes);
            }

            var all = new byte[disk.SizeBytes];
            disk.Read(0, all);
            ByteAssert.Equal(model.Current, all);
            if (disk is WriteCacheDisk withCache)
            {
                withCache.PowerCut();
                disk.Read(0, all);
                ByteAssert.Equal(model.Durable, all);
            }
        }
    }
}

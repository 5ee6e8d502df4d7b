using System.Collections.Generic;
using CsCheck;
using XenVbd.Storage;
using XenVbd.Xen;

namespace XenVbd.Tests.Storage
{
    /// <summary>
    /// A prefetch is only a hint: blkback passes it whatever the frontend wrote in the next slot, so it must
    /// accept any range, change nothing a caller can see, and never throw.
    /// </summary>
    public class PrefetchTests
    {
        [Fact]
        public void A_hint_anywhere_changes_no_byte_counter_or_allocation()
        {
            using var disk = new MemoryDisk(4L << 20);
            byte[] data = TestData.Bytes(3 * MemoryDisk.ChunkSize, 5);
            disk.Write(MemoryDisk.ChunkSize, data);
            var statsBefore = disk.Statistics;
            long allocatedBefore = disk.AllocatedBytes;

            var offsets = Gen.OneOf(Gen.Long, Gen.Long[-4096, (4L << 20) + 4096]);
            Gen.Select(offsets, Gen.Int).Sample((offset, length) => disk.Prefetch(offset, length), iter: 20_000);

            Assert.Equal(statsBefore.ToString(), disk.Statistics.ToString());
            Assert.Equal(allocatedBefore, disk.AllocatedBytes);
            var back = new byte[data.Length];
            disk.Read(MemoryDisk.ChunkSize, back);
            ByteAssert.Equal(data, back);
        }

        [Fact]
        public void A_hint_on_a_shrunk_or_disposed_disk_is_ignored()
        {
            var disk = new MemoryDisk(1L << 30);
            disk.Write((1L << 30) - 4096, TestData.Bytes(4096, 1));
            disk.Resize(1L << 20);
            disk.Prefetch((1L << 30) - 4096, 4096);
            disk.Dispose();

            disk.Prefetch(0, 4096);
            disk.Prefetch(long.MaxValue - 1, int.MaxValue);
        }

        [Fact]
        public void A_layer_passes_the_hint_to_the_disk_below()
        {
            var recorder = new PrefetchRecorder(new MemoryDisk(1 << 20));
            using var layered = new DustDisk(recorder);

            layered.Prefetch(8192, 4096);

            Assert.Equal(new[] { (8192L, 4096) }, recorder.Hints);
        }

        [Fact]
        public void Guest_frames_start_on_a_page_boundary_as_machine_frames_do()
        {
            for (int pages = 1; pages <= 9; pages += 4)
            {
                using var memory = new GuestMemory(1, pages);
                unsafe
                {
                    Assert.Equal(0UL, (ulong)memory.Region.Address % XenPage.Size);
                }
                Assert.Equal(pages * XenPage.Size, memory.Region.Length);
            }
        }
    }

    /// <summary>A pass-through disk that records the hints it is given (and hands them on).</summary>
    internal sealed class PrefetchRecorder : BlockStorageDecorator
    {
        public PrefetchRecorder(IBlockStorage inner) : base(inner) { }

        public List<(long Offset, int Length)> Hints { get; } = new List<(long, int)>();

        public override void Prefetch(long byteOffset, int length)
        {
            Hints.Add((byteOffset, length));
            base.Prefetch(byteOffset, length);
        }
    }
}

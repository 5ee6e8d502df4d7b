using System.Linq;
using XenVbd.Ring;
using XenVbd.Storage;
using XenVbd.Tests.Storage;
using XenVbd.Tests.Support;

namespace XenVbd.Tests.Backend
{
    /// <summary>
    /// While blkback serves one request it hints the disk about the next one already on the ring, so the
    /// in-memory disk's data is on its way to the cache when the copy starts. The hint changes no answer.
    /// </summary>
    public class PrefetchHintTests
    {
        [Theory]
        [InlineData(BlkifAbi.X86_64)]
        [InlineData(BlkifAbi.X86_32)]
        public void Each_read_or_write_after_the_first_in_a_pass_is_hinted_at_its_first_page(BlkifAbi abi)
        {
            var recorder = new PrefetchRecorder(new MemoryDisk(8L << 20));
            using var rig = BackendRig.Connected(abi, disk: recorder);
            var pages = rig.GrantPages(4, fill: 0x5a);
            rig.Frontend.Queue(BlkifOp.Read, 1, 80, new BlkifSegment(pages[0].Gref, 0, 7));
            rig.Frontend.Queue(BlkifOp.Write, 2, 800, new BlkifSegment(pages[1].Gref, 0, 7));
            rig.Frontend.Queue(BlkifOp.FlushDiskCache, 3, 0);
            rig.Frontend.Queue(BlkifOp.Read, 4, 8000, new BlkifSegment(pages[2].Gref, 0, 7), new BlkifSegment(pages[3].Gref, 0, 7));
            rig.Frontend.Push();

            rig.Frontend.Run();

            Assert.Equal(new[] { (800L * 512, 4096), (8000L * 512, 4096) }, recorder.Hints);
            var responses = rig.Frontend.TakeResponses();
            Assert.Equal(new ulong[] { 1, 2, 3, 4 }, responses.Select(r => r.Id));
            Assert.All(responses, r => Assert.Equal(BlkifStatus.Okay, r.Status));
        }

        [Fact]
        public void A_request_pushed_alone_is_not_hinted()
        {
            var recorder = new PrefetchRecorder(new MemoryDisk(8L << 20));
            using var rig = BackendRig.Connected(disk: recorder);
            var page = rig.GrantPages(1)[0];
            for (ulong id = 1; id <= 3; id++)
            {
                rig.Frontend.Queue(BlkifOp.Read, id, id * 8, new BlkifSegment(page.Gref, 0, 7));
                rig.Frontend.Push();
                rig.Frontend.Run();
            }

            Assert.Empty(recorder.Hints);
            Assert.Equal(3, rig.Frontend.TakeResponses().Count);
        }

        [Fact]
        public void A_next_request_past_the_disk_is_not_hinted_and_is_refused_as_before()
        {
            var recorder = new PrefetchRecorder(new MemoryDisk(8L << 20));
            using var rig = BackendRig.Connected(disk: recorder);
            var pages = rig.GrantPages(3);
            rig.Frontend.Queue(BlkifOp.Read, 1, 0, new BlkifSegment(pages[0].Gref, 0, 7));
            rig.Frontend.Queue(BlkifOp.Read, 2, ulong.MaxValue - 3, new BlkifSegment(pages[1].Gref, 0, 7));
            rig.Frontend.Queue(BlkifOp.Read, 3, (8UL << 20) / 512, new BlkifSegment(pages[2].Gref, 0, 7));
            rig.Frontend.Push();

            rig.Frontend.Run();

            // The sector that overflows a byte offset is dropped before the disk sees it; the one just past
            // the end reaches the disk as a hint, which ignores it.
            Assert.Equal(new[] { (8L << 20, 4096) }, recorder.Hints);
            // Refusals are answered at once, ahead of the read still in service.
            var statuses = rig.Frontend.TakeResponses().OrderBy(r => r.Id).Select(r => r.Status).ToArray();
            Assert.Equal(new[] { BlkifStatus.Okay, BlkifStatus.Error, BlkifStatus.Error }, statuses);
        }
    }
}

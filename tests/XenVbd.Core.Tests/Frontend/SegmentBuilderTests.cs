using XenVbd.Frontend;

namespace XenVbd.Tests.Frontend
{
    public sealed class SegmentBuilderTests
    {
        [Fact]
        public void A_buffer_starting_mid_page_gets_first_sect_there_and_last_sect_where_it_ends()
        {
            var segs = new PageSegment[11];
            int n = SegmentBuilder.Split(0x3000 + 1536, 4096 + 1024, 11, segs, out int bytes);
            Assert.Equal(2, n);
            Assert.Equal(5120, bytes);
            Assert.Equal(new PageSegment(3, 3, 7).ToString(), segs[0].ToString());
            Assert.Equal(new PageSegment(4, 0, 4).ToString(), segs[1].ToString());
        }

        [Fact]
        public void At_most_max_segments_are_built_and_the_bytes_say_how_far_they_reach()
        {
            var segs = new PageSegment[11];
            int n = SegmentBuilder.Split(0x10000 + 512, 64 * 1024, 11, segs, out int bytes);
            Assert.Equal(11, n);
            Assert.Equal(3584 + 10 * 4096, bytes);
            Assert.Equal(17, SegmentBuilder.SegmentsNeeded(0x10000 + 512, 64 * 1024));
        }

        [Fact]
        public void An_unaligned_address_cannot_be_segmented()
        {
            var segs = new PageSegment[11];
            Assert.Throws<System.ArgumentException>(() => SegmentBuilder.Split(0x1001, 512, 11, segs, out _));
        }
    }
}

using System.Linq;
using XenVbd.Ring;

namespace XenVbd.Tests.Ring
{
    public class BlkifLayoutTests
    {
        [Theory]
        [InlineData(0, 32)]
        [InlineData(1, 64)]
        [InlineData(2, 128)]
        [InlineData(3, 256)]
        [InlineData(4, 512)]
        public void Ring_entries_are_the_power_of_two_that_fits_in_both_abis(int order, int entries)
        {
            Assert.Equal(entries, BlkifLayout.RingEntries(BlkifAbi.X86_64, order));
            Assert.Equal(entries, BlkifLayout.RingEntries(BlkifAbi.X86_32, order));
        }

        [Fact]
        public void Ring_page_order_above_four_is_refused()
            => Assert.Throws<System.ArgumentOutOfRangeException>(() => BlkifLayout.RingEntries(BlkifAbi.X86_64, 5));

        [Fact]
        public void Describe_lists_every_structure_for_both_abis()
        {
            foreach (var abi in new[] { BlkifAbi.X86_32, BlkifAbi.X86_64 })
            {
                var rows = BlkifLayout.Describe(abi);
                Assert.Equal(new[] { "blkif_sring", "blkif_request", "blkif_request_segment", "blkif_request_discard", "blkif_request_indirect", "blkif_response" },
                    rows.Select(r => r.Structure).Distinct().ToArray());
                Assert.All(rows, r => Assert.Equal(abi, r.Abi));
            }
            Assert.Equal(4, BlkifLayout.Describe(BlkifAbi.X86_32).Single(r => r.Structure == "blkif_request" && r.Field == "id").Offset);
        }

        [Theory]
        [InlineData("x86_32-abi", BlkifAbi.X86_32)]
        [InlineData("x86_64-abi", BlkifAbi.X86_64)]
        public void Protocol_strings_round_trip(string text, BlkifAbi abi)
        {
            Assert.True(BlkifAbiNames.TryParseProtocol(text, out var parsed));
            Assert.Equal(abi, parsed);
            Assert.Equal(text, abi.ToProtocolString());
        }

        [Fact]
        public void Unknown_protocol_string_is_not_parsed()
            => Assert.False(BlkifAbiNames.TryParseProtocol("arm-abi", out _));
    }
}

using System;
using System.Linq;
using XenVbd.Campaign;
using XenVbd.Device;
using XenVbd.Frontend;
using XenVbd.Ring;

namespace XenVbd.Tests.Campaign
{
    public sealed class CampaignMatrixTests
    {
        private const string Json = @"{
  ""Name"": ""abi"",
  ""FrontendAbi"": [""X86_32"", ""X86_64""],
  ""Axes"": { ""Bounce"": [""PerSrb"", ""SegmentPool""], ""MaxRingPageOrder"": 1 },
  ""FaultPlans"": { ""none"": [], ""drops"": { ""Kind"": ""Drop"", ""Rate"": 0.01, ""MaxCount"": 3 } },
  ""Workloads"": { ""small"": { ""Count"": 50, ""BlockSizes"": [512, 4096] } },
  ""SeedCount"": 3
}";

        [Fact]
        public void Cases_are_the_product_numbered_axes_first_and_the_seed_fastest()
        {
            var m = CampaignMatrix.Parse(Json);
            Assert.Equal(2 * 2 * 1 * 2 * 1 * 3, m.Count);
            var first = m.CaseAt(0);
            Assert.Equal("FrontendAbi=X86_32 Bounce=PerSrb MaxRingPageOrder=1", first.Configuration);
            Assert.Equal("drops", first.FaultPlan); // plans by name: "drops" < "none"
            Assert.Equal(1UL, first.Seed);
            Assert.Equal(2UL, m.CaseAt(1).Seed);
            Assert.Equal("none", m.CaseAt(3).FaultPlan);
            Assert.Equal("Bounce=SegmentPool", m.CaseAt(6).Settings[1].Key + "=" + m.CaseAt(6).Settings[1].Value);
            Assert.Equal("FrontendAbi=X86_64", m.CaseAt(12).Settings[0].Key + "=" + m.CaseAt(12).Settings[0].Value);
            Assert.Equal(Enumerable.Range(0, (int)m.Count).Select(i => (long)i), Enumerable.Range(0, (int)m.Count).Select(i => m.CaseAt(i).Index));
        }

        [Fact]
        public void The_order_and_fingerprint_do_not_depend_on_how_the_file_spelled_its_tables()
        {
            var a = CampaignMatrix.Parse(Json);
            var b = CampaignMatrix.Parse(@"{ ""SeedCount"": 3, ""Workloads"": { ""small"": { ""BlockSizes"": [512, 4096], ""Count"": 50 } },
  ""FaultPlans"": { ""drops"": [{ ""MaxCount"": 3, ""Rate"": 0.01, ""Kind"": ""drop"" }], ""none"": [] },
  ""maxringpageorder"": [1], ""Bounce"": [""perSrb"", ""SegmentPool""], ""FrontendAbi"": [""x86_32"", ""X86_64""], ""Name"": ""abi"" }");
            Assert.Equal(a.ToJson(), b.ToJson());
            Assert.Equal(a.Fingerprint, b.Fingerprint);
            Assert.NotEqual(a.Fingerprint, CampaignMatrix.Parse(Json.Replace("\"SeedCount\": 3", "\"SeedCount\": 4")).Fingerprint);
        }

        [Fact]
        public void An_axis_value_lands_on_its_device_option()
        {
            var m = CampaignMatrix.Parse(@"{ ""FrontendAbi"": ""X86_32"", ""FrontendMode"": ""Announce"", ""BackendAbi"": ""X86_32"", ""BackendMode"": ""Native"",
  ""Bounce"": ""SegmentPool"", ""MaxRingPageOrder"": 2, ""MaxIndirectSegments"": 64, ""UntrustedBackend"": true, ""VolatileWriteCache"": ""On"" }");
            var o = CampaignCaseRunner.OptionsFor(m.CaseAt(0), m.AxisSet);
            Assert.Equal(BlkifAbi.X86_32, o.FrontendAbi);
            Assert.Equal(FrontendAbiMode.Announce, o.FrontendMode);
            Assert.Equal(BlkifAbi.X86_32, o.BackendAbi);
            Assert.Equal(XenVbd.Backend.BackendAbiMode.Native, o.BackendMode);
            Assert.Equal(BounceStrategyKind.SegmentPool, o.Bounce);
            Assert.Equal(2, o.MaxRingPageOrder);
            Assert.Equal(64, o.MaxIndirectSegments);
            Assert.True(o.UntrustedBackend);
            Assert.True(o.VolatileWriteCache);
            // A campaign device holds guest memory for its own queue only, not the interactive 8 MiB.
            Assert.True(o.GuestBufferBytes < new VbdDeviceOptions().GuestBufferBytes);
        }

        [Theory]
        [InlineData(@"{ ""Frontend"": ""X86_32"" }", "matrix.Frontend is neither a matrix field")]
        [InlineData(@"{ ""FrontendAbi"": ""X86_16"" }", "has no value 'X86_16'")]
        [InlineData(@"{ ""FaultPlans"": { ""x"": { ""Kind"": ""Drop"", ""Rat"": 1 } } }", "matrix.FaultPlans.x[0].Rat is not a fault rule parameter")]
        [InlineData(@"{ ""FaultPlans"": { ""x"": { ""Kind"": ""Latenzy"" } } }", "Kind must be one of")]
        [InlineData(@"{ ""FaultPlans"": { ""x"": { ""Kind"": ""Drop"", ""Rate"": 2 } } }", "is not a valid fault rule")]
        [InlineData(@"{ ""Workloads"": { ""w"": { ""Count"": 0 } } }", "is not a valid workload")]
        [InlineData(@"{ ""Seeds"": [1, 1] }", "A seed is listed twice")]
        [InlineData(@"{ ""Bounce"": [""PerSrb"", ""perSrb""] }", "lists PerSrb twice")]
        [InlineData(@"{ ""Name"": ", "not valid JSON")]
        public void Bad_matrix_data_is_refused_with_a_message_that_names_it(string json, string message)
        {
            var ex = Assert.Throws<FormatException>(() => CampaignMatrix.Parse(json));
            Assert.Contains(message, ex.Message);
        }

        [Fact]
        public void A_power_cut_without_a_write_cache_is_an_invalid_case_not_a_failure()
        {
            var m = CampaignMatrix.Parse(@"{ ""VolatileWriteCache"": [""Off"", ""On""], ""FaultPlans"": { ""cut"": { ""Kind"": ""PowerCut"", ""MaxCount"": 1 } },
  ""Workloads"": { ""w"": { ""Count"": 40, ""FlushEvery"": 4 } } }");
            var off = CampaignCaseRunner.Run(m.CaseAt(0));
            Assert.Equal(CampaignOutcome.Invalid, off.Outcome);
            Assert.Contains("VolatileWriteCache=On", off.Detail);
            Assert.NotEqual(CampaignOutcome.Invalid, CampaignCaseRunner.Run(m.CaseAt(1)).Outcome);
        }

        [Theory]
        [InlineData("1/1", 1, 1)]
        [InlineData("3/4", 3, 4)]
        [InlineData(" 2 / 8 ", 2, 8)]
        public void Shards_parse_from_i_of_n(string text, int i, int n)
        {
            var s = CampaignShard.Parse(text);
            Assert.Equal(i, s.Number);
            Assert.Equal(n, s.Count);
        }

        [Theory]
        [InlineData("0/4")]
        [InlineData("5/4")]
        [InlineData("4")]
        [InlineData("a/b")]
        public void Bad_shards_are_refused(string text) => Assert.Throws<FormatException>(() => CampaignShard.Parse(text));

        [Fact]
        public void Shards_partition_the_cases()
        {
            for (long total = 0; total < 30; total++)
            {
                for (int n = 1; n <= 5; n++)
                {
                    long sum = 0;
                    for (int i = 1; i <= n; i++)
                    {
                        var s = new CampaignShard(i, n);
                        sum += s.CasesOf(total);
                        for (long k = 0; k < s.CasesOf(total); k++) Assert.True(s.Contains(s.CaseIndex(k)) && s.CaseIndex(k) < total);
                    }
                    Assert.Equal(total, sum);
                }
            }
        }
    }
}

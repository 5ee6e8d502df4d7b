using System;
using System.IO;
using System.Linq;
using XenVbd.Reliability;
using Xunit.Abstractions;

namespace XenVbd.Tests.Reliability
{
    /// <summary>The frontend fuzz target's seed corpus (fuzz/corpus/frontend), replayed on every test run, plus generated inputs.</summary>
    public class RogueBackendFuzzTests
    {
        private readonly ITestOutputHelper _output;

        public RogueBackendFuzzTests(ITestOutputHelper output) => _output = output;

        [Fact]
        public void Frontend_fuzz_corpus_replays_clean()
        {
            var dir = FuzzCorpus.Directory("frontend");
            Assert.NotNull(dir);
            int n = 0, broken = 0;
            foreach (var file in Directory.EnumerateFiles(dir!).OrderBy(f => f, StringComparer.Ordinal))
            {
                if (RogueBackendHarness.Run(File.ReadAllBytes(file)).Broken) broken++;
                n++;
            }

            _output.WriteLine(n + " corpus inputs replayed, " + broken + " left the device Broken");
            Assert.True(n >= 20);
            Assert.True(broken < n, "every corpus input broke the device: the Ready path is not replayed");
        }

        [Fact]
        public void Frontend_fuzz_target_survives_generated_inputs()
        {
            var target = Targets.Get("frontend")!;
            var counters = new long[Target.CounterCount];
            for (ulong seed = 1; seed <= (ulong)Soak.Cases(200); seed++) target.RunGenerated(seed, counters);
            _output.WriteLine(target.Describe(counters));
            Assert.True(counters[5] > 0, "no generated input broke the device: the harness does not reach the checks");
        }
    }
}

using System;
using System.IO;
using System.Linq;
using CsCheck;
using XenVbd.Reliability;
using Xunit.Abstractions;

namespace XenVbd.Tests.Reliability
{
    /// <summary>
    /// A rogue frontend against blkback over ring contents, indices (start near the u32 wrap, req_prod
    /// a ring ahead or anywhere), ids, segment fields, grant refs (real, read-only, foreign, ring, absent)
    /// and indirect pages. The invariants live in <see cref="RogueFrontendHarness"/>.
    /// </summary>
    public class RogueFrontendPropertyTests
    {
        private readonly ITestOutputHelper _output;

        public RogueFrontendPropertyTests(ITestOutputHelper output) => _output = output;

        [Fact]
        public void Rogue_frontend_cannot_break_blkback()
        {
            long cases = 0, consumed = 0, okay = 0, errors = 0, unsupported = 0, halts = 0, dropped = 0;
            var gen = Gen.Select(Gen.Byte, Gen.Int[0, 40], Gen.Int[0, 3], Gen.Int[0, 2], Gen.Int[0, 2], Gen.ULong);
            gen.Sample((flags, count, prodMode, startMode, shape, seed) =>
            {
                var o = RogueFrontendHarness.Run(RogueCases.Frontend(flags, count, prodMode, startMode, shape, seed));
                lock (_output)
                {
                    cases++;
                    consumed += o.Consumed;
                    okay += o.Okay;
                    errors += o.Errors;
                    unsupported += o.NotSupported;
                    dropped += o.Dropped;
                    if (o.Halted) halts++;
                }
            }, iter: Soak.Cases(3000), threads: Soak.Threads);
            _output.WriteLine($"cases {cases}, requests {consumed}: okay {okay}, error {errors}, eopnotsupp {unsupported}, dropped {dropped}, ring halts {halts}");
            // The shaping must reach every outcome, not only the first refusals.
            // Coverage floors, not exact rates: the sample is random, so they sit well below the observed mix (okay ≈ cases/4).
            Assert.True(okay > cases / 10 && errors > cases && unsupported > cases / 10 && halts > cases / 20 && dropped > 0,
                $"okay {okay}, errors {errors}, eopnotsupp {unsupported}, halts {halts}, dropped {dropped} over {cases} cases");
        }

        [Fact]
        public void Empty_and_truncated_inputs_are_handled()
        {
            RogueFrontendHarness.Run(ReadOnlySpan<byte>.Empty);
            RogueFrontendHarness.Run(new byte[] { 0xff });
            RogueFrontendHarness.Run(new byte[] { 0x01, 200, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff });
        }

        /// <summary>The fuzzer's corpus and every crash it ever found, replayed (fuzz/corpus/backend).</summary>
        [Fact]
        public void Fuzz_corpus_replays_clean()
        {
            var dir = FuzzCorpus.Directory("backend");
            if (dir == null) return;
            int n = 0;
            foreach (var file in System.IO.Directory.EnumerateFiles(dir).OrderBy(f => f, StringComparer.Ordinal))
            {
                RogueFrontendHarness.Run(File.ReadAllBytes(file));
                n++;
            }
            _output.WriteLine(n + " corpus inputs replayed");
        }
    }

    internal static class FuzzCorpus
    {
        /// <summary>fuzz/corpus/&lt;target&gt; in the repository, found by walking up from the test binary.</summary>
        public static string? Directory(string target)
        {
            for (var d = new DirectoryInfo(AppContext.BaseDirectory); d != null; d = d.Parent)
            {
                var p = Path.Combine(d.FullName, "fuzz", "corpus", target);
                if (System.IO.Directory.Exists(p)) return p;
            }
            return null;
        }
    }
}

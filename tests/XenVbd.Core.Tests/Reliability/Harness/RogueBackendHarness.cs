using System;

namespace XenVbd.Reliability
{
    /// <summary>
    /// A rogue backend against the real frontend, driven by bytes; shared by the corpus replay test, the
    /// soak runner and the fuzzer. blkback executes every request the frontend sends (so the disk and the
    /// guest's pages hold real data) while the input decides, request by request, what the answer is
    /// (<see cref="RogueResponsePlanner"/>), and a list of steps runs the clock, resets the bus, submits
    /// more SRBs and keeps grants mapped (<see cref="RogueBackendRun"/>). Everything is read relative to
    /// the ring's state, so random and mutated inputs alike reach late responses, orphans, multi-pass
    /// SRBs and quarantine instead of breaking the ring at the first byte.
    /// </summary>
    /// <remarks>
    /// Input: [0] flags (bit 0 backend x86_32, bits 1-2 bounce strategy mod 3, bit 3 indirect segments,
    /// bit 4 untrusted backend (every transfer bounced), bit 5 two ring pages, bit 6 queue depth 2),
    /// [1] first SRBs 1..8, [2] request timeout 1..4 s, [3] step bytes, [4..11] SRB shapes,
    /// [12..15] data seed; then the step bytes, then the decision bytes.
    /// SRB shape s: bits 0-1 write/read/write/(bit 2 ? flush : read), bits 3-5 size (1, 2, 3, 8, 9, 24, 90 or
    /// 128 blocks), bits 6-7 buffer offset (0, 512, 3 or 1000 bytes past a page).
    /// Step t: by t &gt;&gt; 5 — 0..2 run (t &amp; 31) + 1 ms; 3 run ((t &amp; 31) + 1) × 50 ms; 4 run 1.25
    /// timeouts (the watchdog resets); 5 bus reset; 6 submit one more SRB (the next step byte is its shape);
    /// 7 keep every granted page mapped (even t) or let go of them (odd t).
    /// </remarks>
    public static class RogueBackendHarness
    {
        public const int HeaderSize = 16;

        public static RogueBackendOutcome Run(ReadOnlySpan<byte> input)
        {
            using var run = new RogueBackendRun(input);
            return run.Execute();
        }
    }
}

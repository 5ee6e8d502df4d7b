using XenVbd.Sim;

namespace XenVbd.Reliability
{
    /// <summary>
    /// Generated inputs for <see cref="RogueBackendHarness"/>: a mix of cases in which the backend is honest
    /// but slow, lossy or failing (the device must stay Ready and every byte must be right), cases with a
    /// rare lie or rejectable response among honest ones, cases full of them, and raw random bytes.
    /// </summary>
    public static class RogueBackendCases
    {
        public static byte[] Frontend(ulong seed, bool small)
        {
            var r = new SimRandom(seed);
            int steps = small ? 2 + r.Next(6) : 4 + r.Next(36);
            int decisions = small ? 8 + r.Next(16) : 16 + r.Next(80);
            var bytes = new byte[RogueBackendHarness.HeaderSize + steps + decisions];
            r.NextBytes(bytes);
            bytes[3] = (byte)steps;
            int mode = r.Next(20);
            if (mode < 3) return bytes;

            for (int i = 4; i < 12; i++) bytes[i] = Shape(r);
            for (int i = 0; i < steps; i++) bytes[RogueBackendHarness.HeaderSize + i] = Step(r);
            // Per case: how often an answer is bent, and whether it may lie or be rejectable.
            double bent = r.Chance(0.3) ? 0 : r.NextDouble() * 0.4;
            double rogue = mode < 9 ? 0 : mode < 16 ? 0.02 : 0.15;
            for (int i = 0; i < decisions; i++)
            {
                int at = RogueBackendHarness.HeaderSize + steps + i;
                bytes[at] = r.Chance(rogue) ? (byte)r.Next(RogueResponsePlanner.Duplicate, RogueResponsePlanner.HonestNow)
                    : r.Chance(bent) ? (byte)r.Next(RogueResponsePlanner.Drop, RogueResponsePlanner.Duplicate)
                    : r.Chance(0.3) ? (byte)r.Next(RogueResponsePlanner.HonestNow, 256)
                    : (byte)r.Next(RogueResponsePlanner.Drop);
            }
            return bytes;
        }

        /// <summary>Mostly small transfers; sometimes one larger than a bounce pass (11 pages), so it takes several.</summary>
        private static byte Shape(SimRandom r)
        {
            int size = r.Chance(0.25) ? 6 + r.Next(2) : r.Next(6);
            return (byte)((r.Next(4) | (r.Next(2) << 2)) | (size << 3) | (r.Next(4) << 6));
        }

        private static byte Step(SimRandom r)
        {
            int op = r.Next(100) switch
            {
                < 45 => r.Next(3),
                < 55 => 3,
                < 65 => 4,
                < 73 => 5,
                < 88 => 6,
                _ => 7,
            };
            int arg = op == 3 ? r.Next(4) : r.Next(32);
            return (byte)((op << 5) | arg);
        }
    }
}

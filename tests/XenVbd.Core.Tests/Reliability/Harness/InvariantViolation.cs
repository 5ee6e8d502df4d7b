using System;

namespace XenVbd.Reliability
{
    /// <summary>
    /// A broken invariant found by a rogue-peer harness. The harnesses are shared by the xunit property
    /// tests, the soak runner and the SharpFuzz target (fuzz/), so they throw this rather than use xunit's
    /// asserts; under the fuzzer an escaping exception is what marks an input as a crash.
    /// </summary>
    public sealed class InvariantViolation : Exception
    {
        public InvariantViolation(string message) : base(message) { }

        public static void Check(bool condition, string message)
        {
            if (!condition) throw new InvariantViolation(message);
        }
    }
}

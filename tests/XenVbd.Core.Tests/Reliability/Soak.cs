using System;

namespace XenVbd.Tests.Reliability
{
    /// <summary>Case counts for the rogue-peer properties: a short slice normally, scaled up by XENVBD_SOAK (1 = a million, or a number).</summary>
    internal static class Soak
    {
        public static int Cases(int normal)
        {
            var v = Environment.GetEnvironmentVariable("XENVBD_SOAK");
            if (string.IsNullOrEmpty(v) || v == "0") return normal;
            if (v == "1") return 1_000_000;
            return int.TryParse(v, out int n) && n > 0 ? n : normal;
        }

        public static int Threads => string.IsNullOrEmpty(Environment.GetEnvironmentVariable("XENVBD_SOAK")) ? 1 : -1;
    }
}

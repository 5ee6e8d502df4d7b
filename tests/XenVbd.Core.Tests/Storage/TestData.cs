using System;

namespace XenVbd.Tests.Storage
{
    /// <summary>Reproducible, non-zero data, so a read that returns zeros or stale bytes cannot pass by accident.</summary>
    internal static class TestData
    {
        public static byte[] Bytes(int length, int seed)
        {
            var data = new byte[length];
            new Random(seed).NextBytes(data);
            for (int i = 0; i < data.Length; i++)
            {
                data[i] |= 1;
            }

            return data;
        }
    }
}

using System;
using Xunit.Sdk;

namespace XenVbd.Tests.Storage
{
    /// <summary>
    /// Byte comparisons for megabyte buffers: xunit's element-by-element collection asserts take seconds
    /// on these, and a failure here names the first differing offset, which is what one debugs with.
    /// </summary>
    internal static class ByteAssert
    {
        public static void Equal(ReadOnlySpan<byte> expected, ReadOnlySpan<byte> actual)
        {
            if (expected.Length != actual.Length)
            {
                throw new XunitException($"Expected {expected.Length} bytes but got {actual.Length}.");
            }

            int at = expected.CommonPrefixLength(actual);
            if (at != expected.Length)
            {
                throw new XunitException($"Bytes differ first at offset {at}: expected 0x{expected[at]:X2}, got 0x{actual[at]:X2}.");
            }
        }

        public static void Zeros(ReadOnlySpan<byte> actual)
        {
            int at = actual.IndexOfAnyExcept((byte)0);
            if (at >= 0)
            {
                throw new XunitException($"Expected zeros but offset {at} holds 0x{actual[at]:X2}.");
            }
        }
    }
}

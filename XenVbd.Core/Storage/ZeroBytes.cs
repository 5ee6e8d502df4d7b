using System;
#if !NET
using System.Runtime.InteropServices;
#endif

namespace XenVbd.Storage
{
    /// <summary>Zero-related helpers shared by the disks; the buffer exists once per process, not per call.</summary>
    internal static class ZeroBytes
    {
        /// <summary>A read-only source of zeros for overwriting ranges without allocating.</summary>
        public static readonly byte[] Buffer = new byte[64 * 1024];

        public static bool IsAllZero(ReadOnlySpan<byte> data)
        {
#if NET
            return data.IndexOfAnyExcept((byte)0) < 0;
#else
            // Eight bytes at a time: this runs on every write to an untouched sparse chunk.
            ReadOnlySpan<ulong> words = MemoryMarshal.Cast<byte, ulong>(data);
            foreach (ulong word in words)
            {
                if (word != 0)
                {
                    return false;
                }
            }

            for (int i = words.Length * sizeof(ulong); i < data.Length; i++)
            {
                if (data[i] != 0)
                {
                    return false;
                }
            }

            return true;
#endif
        }
    }
}

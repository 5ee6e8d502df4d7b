using System;

namespace XenVbd.Scsi
{
    /// <summary>
    /// Every answer is first built whole (its length fields must describe the whole answer, SPC-4 4.2.5.6)
    /// and then cut to the allocation length and the caller's buffer; this does the cut.
    /// </summary>
    internal static class AnswerCopy
    {
        internal static int Copy(ReadOnlySpan<byte> full, uint allocationLength, Span<byte> dest)
        {
            int n = full.Length;
            if (allocationLength < (uint)n)
            {
                n = (int)allocationLength;
            }

            if (dest.Length < n)
            {
                n = dest.Length;
            }

            full.Slice(0, n).CopyTo(dest);
            return n;
        }
    }
}

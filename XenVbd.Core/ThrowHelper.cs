using System;
using System.Diagnostics.CodeAnalysis;

namespace XenVbd
{
    /// <summary>Throws from a separate, non-inlined frame so hot paths stay small.</summary>
    internal static class ThrowHelper
    {
        [DoesNotReturn]
        internal static void ThrowSegmentIndex(int index)
            => throw new ArgumentOutOfRangeException(nameof(index), index, "Segment index out of range.");

        [DoesNotReturn]
        internal static void ThrowEntryTooSmall(int length, int needed)
            => throw new ArgumentException("Ring entry span is " + length + " bytes; " + needed + " are needed.");

        [DoesNotReturn]
        internal static void ThrowArgumentOutOfRange(string name, object? value, string message)
            => throw new ArgumentOutOfRangeException(name, value, message);

        [DoesNotReturn]
        internal static void ThrowInvalidOperation(string message)
            => throw new InvalidOperationException(message);

        [DoesNotReturn]
        internal static void ThrowArgument(string name, string message)
            => throw new ArgumentException(message, name);
    }
}

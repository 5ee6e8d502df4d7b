using System;

namespace XenVbd.Tests.Storage
{
    /// <summary>
    /// The obviously-correct disk the real ones are compared with: two byte arrays, what reads see and what
    /// would survive a power cut. Without a write cache both are the same after every step.
    /// </summary>
    internal sealed class ByteArrayDiskModel
    {
        private readonly bool _volatileWrites;

        public ByteArrayDiskModel(long size, bool volatileWrites)
        {
            Current = new byte[size];
            Durable = new byte[size];
            _volatileWrites = volatileWrites;
        }

        public byte[] Current { get; private set; }

        public byte[] Durable { get; private set; }

        public void Write(long offset, byte[] data)
        {
            data.CopyTo(Current, offset);
            if (!_volatileWrites)
            {
                data.CopyTo(Durable, offset);
            }
        }

        public void Flush() => Durable = (byte[])Current.Clone();

        /// <summary>Discards bypass the cache, so they hit both images.</summary>
        public void Discard(long offset, int length)
        {
            Array.Clear(Current, (int)offset, length);
            Array.Clear(Durable, (int)offset, length);
        }

        public void Resize(long size)
        {
            Current = Resized(Current, size);
            Durable = Resized(Durable, size);
        }

        public void PowerCut() => Current = (byte[])Durable.Clone();

        private static byte[] Resized(byte[] old, long size)
        {
            var next = new byte[size];
            Array.Copy(old, next, Math.Min(old.Length, size));
            return next;
        }
    }
}

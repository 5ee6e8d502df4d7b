using System;
using System.Collections.Generic;
using XenVbd.Storage;

namespace XenVbd.Tests.Support
{
    /// <summary>A pass-through disk that records the order of operations, so tests can see flush-write-flush and discard arguments.</summary>
    public sealed class RecordingDisk : BlockStorageDecorator
    {
        public RecordingDisk(IBlockStorage inner) : base(inner) { }

        public List<string> Log { get; } = new List<string>();

        public List<(long Offset, long Length, bool Secure)> Discards { get; } = new List<(long, long, bool)>();

        protected override void ReadCore(long byteOffset, Span<byte> destination)
        {
            Log.Add("read " + byteOffset + "+" + destination.Length);
            base.ReadCore(byteOffset, destination);
        }

        protected override void WriteCore(long byteOffset, ReadOnlySpan<byte> source)
        {
            Log.Add("write " + byteOffset + "+" + source.Length);
            base.WriteCore(byteOffset, source);
        }

        protected override void FlushCore()
        {
            Log.Add("flush");
            base.FlushCore();
        }

        protected override void DiscardCore(long byteOffset, long length, bool secure)
        {
            Log.Add("discard " + byteOffset + "+" + length + (secure ? " secure" : ""));
            Discards.Add((byteOffset, length, secure));
            base.DiscardCore(byteOffset, length, secure);
        }
    }
}

using System;

namespace XenVbd.Storage
{
    /// <summary>
    /// A layer over another disk that passes everything through unless a subclass says otherwise. Faults,
    /// caches and tracers derive from it and override only the operations they change.
    /// </summary>
    /// <remarks>
    /// Geometry and read-only state are always the inner disk's, so a resize of the inner disk is seen at
    /// once. The decorator keeps its own counters: comparing them with the inner disk's shows what a layer
    /// absorbed (a cache) or added.
    /// </remarks>
    public abstract class BlockStorageDecorator : BlockStorage, IStoragePrefetch
    {
        private readonly bool _ownsInner;

        protected BlockStorageDecorator(IBlockStorage inner, bool ownsInner = true)
        {
            Inner = inner ?? throw new ArgumentNullException(nameof(inner));
            _ownsInner = ownsInner;
        }

        public IBlockStorage Inner { get; }

        public override long SizeBytes => Inner.SizeBytes;

        public override int LogicalSectorSize => Inner.LogicalSectorSize;

        public override int PhysicalSectorSize => Inner.PhysicalSectorSize;

        public override bool IsReadOnly => Inner.IsReadOnly;

        /// <summary>The inner disk enforces its own limit; checking twice here would need its private maximum.</summary>
        protected override long MaxSizeBytes => long.MaxValue;

        /// <summary>Passed down: a layer that answers some reads itself (a cache) only wastes a hint.</summary>
        public virtual void Prefetch(long byteOffset, int length) => (Inner as IStoragePrefetch)?.Prefetch(byteOffset, length);

        protected override void ReadCore(long byteOffset, Span<byte> destination) => Inner.Read(byteOffset, destination);

        protected override void WriteCore(long byteOffset, ReadOnlySpan<byte> source) => Inner.Write(byteOffset, source);

        protected override void FlushCore() => Inner.Flush();

        protected override void DiscardCore(long byteOffset, long length, bool secure) => Inner.Discard(byteOffset, length, secure);

        protected override void ResizeCore(long newSizeBytes) => Inner.Resize(newSizeBytes);

        protected override void DisposeCore()
        {
            if (_ownsInner)
            {
                Inner.Dispose();
            }
        }
    }
}

using System;

namespace XenVbd
{
    /// <summary>
    /// A run of pinned memory: guest pages in a managed pinned array or in a memory-mapped file
    /// shared with another process. A pointer rather than Memory&lt;T&gt; so both look the same to
    /// the ring code and indices can be read with the barriers a real peer needs.
    /// </summary>
    public readonly unsafe struct MemoryRegion
    {
        private readonly byte* _address;

        public MemoryRegion(byte* address, int length, object? owner)
        {
            if (length < 0) ThrowHelper.ThrowArgumentOutOfRange(nameof(length), length, "Length must not be negative.");
            _address = address;
            Length = length;
            Owner = owner;
        }

        public int Length { get; }

        /// <summary>Keeps the pinned array or the file mapping alive while a view of it exists.</summary>
        public object? Owner { get; }

        public byte* Address => _address;

        public bool IsEmpty => _address == null;

        public Span<byte> Span => new Span<byte>(_address, Length);

        public Span<byte> Slice(int offset, int length)
        {
            if ((uint)offset > (uint)Length || (uint)length > (uint)(Length - offset))
                ThrowHelper.ThrowArgumentOutOfRange(nameof(offset), offset, "Slice [" + offset + ", +" + length + ") is outside a region of " + Length + " bytes.");
            return new Span<byte>(_address + offset, length);
        }

        public MemoryRegion SubRegion(int offset, int length)
        {
            Slice(offset, length);
            return new MemoryRegion(_address + offset, length, Owner);
        }
    }
}

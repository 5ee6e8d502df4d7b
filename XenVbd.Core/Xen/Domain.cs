using System;

namespace XenVbd.Xen
{
    /// <summary>A domain: its id, its memory and the grant table it grants from.</summary>
    public sealed class Domain : IDisposable
    {
        internal Domain(int id, GuestMemory memory, int grantCapacity)
        {
            Id = id;
            Memory = memory;
            Grants = new GrantTable(memory, grantCapacity);
        }

        public int Id { get; }

        public GuestMemory Memory { get; }

        public GrantTable Grants { get; }

        public void Dispose() => Memory.Dispose();
    }
}

using System;
using XenVbd.Ring;

namespace XenVbd.Transport
{
    /// <summary>What the creator (the frontend's side) lays out in a new shared-memory file.</summary>
    public sealed class SharedMemoryFileOptions
    {
        /// <summary>The layout the frontend announces in the header's <c>abi</c> field.</summary>
        public BlkifAbi Abi { get; set; } = BlkifAbi.X86_64;

        /// <summary>Ring pages reserved: 2^order (0..4).</summary>
        public int MaxRingPageOrder { get; set; }

        /// <summary>Pages of guest memory after the grant table and the ring: data, bounce buffers, indirect pages.</summary>
        public int DataPages { get; set; } = 256;

        public int GrantEntries { get; set; } = ShmLayout.DefaultGrantEntries;

        public int FrontendDomainId { get; set; } = 1;

        public int BackendDomainId { get; set; }

        internal void Validate()
        {
            if (Abi != BlkifAbi.X86_32 && Abi != BlkifAbi.X86_64) throw new ArgumentException("Unknown ABI " + Abi + ".", nameof(Abi));
            if (MaxRingPageOrder < 0 || MaxRingPageOrder > BlkifLayout.MaxRingPageOrder)
                throw new ArgumentException("MaxRingPageOrder must be 0.." + BlkifLayout.MaxRingPageOrder + ".", nameof(MaxRingPageOrder));
            if (DataPages < 1 || DataPages > 256 * 1024) throw new ArgumentException("DataPages must be 1..262144.", nameof(DataPages));
            if (GrantEntries < 512 || GrantEntries % 512 != 0 || GrantEntries > 65536)
                throw new ArgumentException("GrantEntries must be a multiple of 512 up to 65536.", nameof(GrantEntries));
            if (FrontendDomainId <= 0 || FrontendDomainId > 0x7FEF) throw new ArgumentException("FrontendDomainId must be 1..32751.", nameof(FrontendDomainId));
            if (BackendDomainId < 0 || BackendDomainId > 0x7FEF || BackendDomainId == FrontendDomainId)
                throw new ArgumentException("BackendDomainId must be 0..32751 and differ from the frontend's.", nameof(BackendDomainId));
        }
    }
}

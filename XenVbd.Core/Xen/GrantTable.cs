using System;
using System.Buffers.Binary;

namespace XenVbd.Xen
{
    /// <summary>
    /// One domain's grant table, v1 layout in the granting domain's own pages (flags u16, domid u16,
    /// frame u32 per entry) so a peer process can read it from a shared mapping. The hypervisor's
    /// side — who has what mapped — is kept here too: end-access fails while a grant is mapped
    /// (XSA-396), and a map can be made to fail to test error paths (XSA-365).
    /// </summary>
    public sealed class GrantTable
    {
        public const ushort PermitAccess = 1;
        public const ushort ReadOnlyFlag = 4;
        public const ushort Reading = 8;
        public const ushort Writing = 16;

        /// <summary>Refs below this are the toolstack's (GNTTAB_NR_RESERVED_ENTRIES).</summary>
        public const int ReservedEntries = 8;

        private const int EntrySize = 8;

        private readonly MemoryRegion _entries;
        private readonly GuestMemory _owner;
        private readonly int[] _mapCount;
        private readonly uint[] _freeList;
        private int _freeCount;

        public GrantTable(GuestMemory owner, int capacity = 4096)
        {
            if (capacity <= ReservedEntries || capacity % (XenPage.Size / EntrySize) != 0)
                ThrowHelper.ThrowArgumentOutOfRange(nameof(capacity), capacity, "Grant table capacity must be a positive multiple of 512 entries.");
            _owner = owner;
            Capacity = capacity;
            int pages = capacity * EntrySize / XenPage.Size;
            FirstFrame = owner.AllocatePages(pages);
            _entries = owner.Pages(FirstFrame, pages);
            _mapCount = new int[capacity];
            _freeList = new uint[capacity - ReservedEntries];
            for (int i = capacity - 1; i >= ReservedEntries; i--) _freeList[_freeCount++] = (uint)i;
        }

        public int DomainId => _owner.DomainId;

        public int Capacity { get; }

        /// <summary>First frame of the table in the owner's memory (the shared-memory file records it).</summary>
        public uint FirstFrame { get; }

        public int FreeReferences => _freeCount;

        public long MapOperations { get; private set; }

        public long FailedMaps { get; private set; }

        /// <summary>Fault hook: return a failure status to make the next map of a ref fail (lost grant-map errors, XSA-365).</summary>
        public Func<uint, GrantStatus>? MapFaultHook { get; set; }

        /// <summary>gnttab_claim_grant_reference: takes a free ref for later use; the frontend claims all it needs up front.</summary>
        public uint ClaimReference()
        {
            if (_freeCount == 0) throw new InvalidOperationException("Grant table of domain " + DomainId + " has no free references (capacity " + Capacity + ").");
            return _freeList[--_freeCount];
        }

        public void ReleaseReference(uint gref)
        {
            CheckRef(gref);
            if (Flags(gref) != 0) ThrowHelper.ThrowInvalidOperation("Grant ref " + gref + " is still active; end access before releasing it.");
            _freeList[_freeCount++] = gref;
        }

        /// <summary>gnttab_grant_foreign_access_ref: lets <paramref name="grantee"/> map <paramref name="frame"/>.</summary>
        public void GrantAccess(uint gref, int grantee, uint frame, bool readOnly)
        {
            CheckRef(gref);
            if (_mapCount[gref] != 0) ThrowHelper.ThrowInvalidOperation("Grant ref " + gref + " is still mapped by domain " + Domid(gref) + "; it cannot be reused (XSA-396).");
            var e = Entry(gref);
            BinaryPrimitives.WriteUInt16LittleEndian(e.Slice(2), (ushort)grantee);
            BinaryPrimitives.WriteUInt32LittleEndian(e.Slice(4), frame);
            BinaryPrimitives.WriteUInt16LittleEndian(e, (ushort)(PermitAccess | (readOnly ? ReadOnlyFlag : 0)));
        }

        /// <summary>gnttab_end_foreign_access_ref: false (and the grant stays) while the grantee still has it mapped.</summary>
        public bool EndAccess(uint gref)
        {
            CheckRef(gref);
            if (_mapCount[gref] != 0) return false;
            BinaryPrimitives.WriteUInt16LittleEndian(Entry(gref), 0);
            return true;
        }

        public bool IsActive(uint gref) => gref < (uint)Capacity && (Flags(gref) & PermitAccess) != 0;

        public bool IsMapped(uint gref) => gref < (uint)Capacity && _mapCount[gref] != 0;

        public int ActiveMappings
        {
            get
            {
                int n = 0;
                for (int i = 0; i < _mapCount.Length; i++) if (_mapCount[i] != 0) n++;
                return n;
            }
        }

        /// <summary>GNTTABOP_map_grant_ref by <paramref name="mapper"/>: validates and yields the granted page.</summary>
        public GrantStatus Map(uint gref, int mapper, bool writable, out MemoryRegion page)
        {
            page = default;
            MapOperations++;
            if (gref >= (uint)Capacity || gref < ReservedEntries) { FailedMaps++; return GrantStatus.BadGntref; }
            // One read of the whole 8-byte entry (flags, domid, frame) instead of a slice per field: an
            // indirect request maps hundreds of grants.
            ulong entry = BinaryPrimitives.ReadUInt64LittleEndian(Entry(gref));
            ushort flags = (ushort)entry;
            if ((flags & PermitAccess) == 0) { FailedMaps++; return GrantStatus.BadGntref; }
            if ((ushort)(entry >> 16) != (ushort)mapper) { FailedMaps++; return GrantStatus.PermissionDenied; }
            if (writable && (flags & ReadOnlyFlag) != 0) { FailedMaps++; return GrantStatus.PermissionDenied; }
            var hook = MapFaultHook;
            if (hook != null)
            {
                var injected = hook(gref);
                if (injected != GrantStatus.Okay) { FailedMaps++; return injected; }
            }
            uint frame = (uint)(entry >> 32);
            if (frame >= (uint)_owner.PageCount) { FailedMaps++; return GrantStatus.BadVirtAddr; }
            _mapCount[gref]++;
            SetFlags(gref, (ushort)(flags | (writable ? Writing : Reading)));
            page = _owner.Page(frame);
            return GrantStatus.Okay;
        }

        public void Unmap(uint gref)
        {
            CheckRef(gref);
            if (_mapCount[gref] == 0) ThrowHelper.ThrowInvalidOperation("Grant ref " + gref + " is not mapped.");
            if (--_mapCount[gref] == 0) SetFlags(gref, (ushort)(Flags(gref) & ~(Reading | Writing)));
        }

        public ushort Flags(uint gref) => BinaryPrimitives.ReadUInt16LittleEndian(Entry(gref));

        public ushort Domid(uint gref) => BinaryPrimitives.ReadUInt16LittleEndian(Entry(gref).Slice(2));

        public uint Frame(uint gref) => BinaryPrimitives.ReadUInt32LittleEndian(Entry(gref).Slice(4));

        private void SetFlags(uint gref, ushort flags) => BinaryPrimitives.WriteUInt16LittleEndian(Entry(gref), flags);

        private Span<byte> Entry(uint gref) => _entries.Slice((int)gref * EntrySize, EntrySize);

        private void CheckRef(uint gref)
        {
            if (gref >= (uint)Capacity || gref < ReservedEntries)
                ThrowHelper.ThrowArgumentOutOfRange(nameof(gref), gref, "Grant ref " + gref + " is outside " + ReservedEntries + ".." + (Capacity - 1) + ".");
        }
    }
}

namespace XenVbd.Ring
{
    /// <summary>
    /// A read/write/barrier/flush request as the frontend builds it privately before copying it to
    /// the ring (and as the backend holds its single copy of it). Segments live inline so building
    /// one allocates nothing.
    /// </summary>
    public unsafe struct BlkifRequest
    {
        private fixed ulong _segments[BlkifLayout.MaxSegmentsPerRequest];

        public byte Operation;
        public byte NrSegments;
        public ushort Handle;
        public ulong Id;
        public ulong SectorNumber;

        public BlkifSegment GetSegment(int index)
        {
            if ((uint)index >= BlkifLayout.MaxSegmentsPerRequest) ThrowHelper.ThrowSegmentIndex(index);
            return BlkifSegment.Unpack(_segments[index]);
        }

        public void SetSegment(int index, BlkifSegment segment)
        {
            if ((uint)index >= BlkifLayout.MaxSegmentsPerRequest) ThrowHelper.ThrowSegmentIndex(index);
            _segments[index] = segment.Pack();
        }

        public override string ToString()
            => BlkifOp.Name(Operation) + " id=" + Id + " sector=" + SectorNumber + " segs=" + NrSegments;
    }

    /// <summary>A <c>blkif_request_discard</c>: trim <see cref="NrSectors"/> 512-byte sectors.</summary>
    public struct BlkifDiscardRequest
    {
        public byte Operation;
        public byte Flag;
        public ushort Handle;
        public ulong Id;
        public ulong SectorNumber;
        public ulong NrSectors;
    }

    /// <summary>
    /// A <c>blkif_request_indirect</c>: the segments live in up to 8 granted pages of 512
    /// <c>blkif_request_segment</c> each instead of on the ring.
    /// </summary>
    public unsafe struct BlkifIndirectRequest
    {
        private fixed uint _indirectGrefs[BlkifLayout.MaxIndirectPagesPerRequest];

        public byte Operation;
        public byte IndirectOp;
        public ushort NrSegments;
        public ulong Id;
        public ulong SectorNumber;
        public ushort Handle;

        public uint GetIndirectGref(int index)
        {
            if ((uint)index >= BlkifLayout.MaxIndirectPagesPerRequest) ThrowHelper.ThrowSegmentIndex(index);
            return _indirectGrefs[index];
        }

        public void SetIndirectGref(int index, uint gref)
        {
            if ((uint)index >= BlkifLayout.MaxIndirectPagesPerRequest) ThrowHelper.ThrowSegmentIndex(index);
            _indirectGrefs[index] = gref;
        }

        /// <summary>Indirect pages needed to describe <see cref="NrSegments"/> segments.</summary>
        public int IndirectPageCount => (NrSegments + BlkifLayout.SegmentsPerIndirectPage - 1) / BlkifLayout.SegmentsPerIndirectPage;
    }

    /// <summary>A <c>blkif_response</c>.</summary>
    public struct BlkifResponse
    {
        public ulong Id;
        public byte Operation;
        public short Status;

        public BlkifResponse(ulong id, byte operation, short status)
        {
            Id = id;
            Operation = operation;
            Status = status;
        }

        public override string ToString() => "id=" + Id + " " + BlkifOp.Name(Operation) + " " + BlkifStatus.Name(Status);
    }
}

using System;
using System.Buffers.Binary;

namespace XenVbd.Ring
{
    /// <summary>
    /// Reads and writes blkif structures byte by byte in one ABI. Writers fill every byte they own
    /// (padding included) so nothing stale leaks to the peer (XSA-216); readers take one copy and
    /// never look back at the shared bytes (XSA-155).
    /// </summary>
    public static class BlkifCodec
    {
        public static byte PeekOperation(ReadOnlySpan<byte> entry) => entry[BlkifLayout.OperationOffset];

        public static void WriteRequest(Span<byte> entry, BlkifAbi abi, in BlkifRequest request)
        {
            entry = ClearedEntry(entry, BlkifLayout.RequestSize(abi));
            entry[BlkifLayout.OperationOffset] = request.Operation;
            entry[BlkifLayout.NrSegmentsOffset] = request.NrSegments;
            BinaryPrimitives.WriteUInt16LittleEndian(entry.Slice(BlkifLayout.HandleOffset), request.Handle);
            WriteIdAndSector(entry, abi, request.Id, request.SectorNumber);
            int n = Math.Min((int)request.NrSegments, BlkifLayout.MaxSegmentsPerRequest);
            var segs = entry.Slice(BlkifLayout.SegmentsOffset(abi));
            for (int i = 0; i < n; i++)
                WriteSegment(segs.Slice(i * BlkifLayout.SegmentSize), request.GetSegment(i));
        }

        /// <summary>Reads a request; segments past 11 are not read (the backend rejects such a count anyway).</summary>
        public static void ReadRequest(ReadOnlySpan<byte> entry, BlkifAbi abi, out BlkifRequest request)
        {
            ReadRequestHeader(entry, abi, out request);
            for (int i = 0; i < BlkifLayout.MaxSegmentsPerRequest; i++)
                request.SetSegment(i, ReadRequestSegment(entry, abi, i));
        }

        /// <summary>
        /// A request's fields without its segments (left zero): for a reader that takes only the
        /// <see cref="BlkifRequest.NrSegments"/> it uses, with <see cref="ReadRequestSegment"/>, instead of all 11.
        /// </summary>
        public static void ReadRequestHeader(ReadOnlySpan<byte> entry, BlkifAbi abi, out BlkifRequest request)
        {
            int size = BlkifLayout.RequestSize(abi);
            if (entry.Length < size) ThrowHelper.ThrowEntryTooSmall(entry.Length, size);
            request = default;
            request.Operation = entry[BlkifLayout.OperationOffset];
            request.NrSegments = entry[BlkifLayout.NrSegmentsOffset];
            request.Handle = BinaryPrimitives.ReadUInt16LittleEndian(entry.Slice(BlkifLayout.HandleOffset));
            request.Id = BinaryPrimitives.ReadUInt64LittleEndian(entry.Slice(BlkifLayout.IdOffset(abi)));
            request.SectorNumber = BinaryPrimitives.ReadUInt64LittleEndian(entry.Slice(BlkifLayout.SectorNumberOffset(abi)));
        }

        /// <summary>Segment <paramref name="index"/> (0..10) of a direct request entry.</summary>
        public static BlkifSegment ReadRequestSegment(ReadOnlySpan<byte> entry, BlkifAbi abi, int index)
        {
            if ((uint)index >= BlkifLayout.MaxSegmentsPerRequest) ThrowHelper.ThrowSegmentIndex(index);
            return ReadSegment(entry.Slice(BlkifLayout.SegmentsOffset(abi) + index * BlkifLayout.SegmentSize, BlkifLayout.SegmentSize));
        }

        public static void WriteDiscard(Span<byte> entry, BlkifAbi abi, in BlkifDiscardRequest request)
        {
            entry = ClearedEntry(entry, BlkifLayout.RequestSize(abi));
            entry[BlkifLayout.OperationOffset] = request.Operation;
            entry[BlkifLayout.DiscardFlagOffset] = request.Flag;
            BinaryPrimitives.WriteUInt16LittleEndian(entry.Slice(BlkifLayout.HandleOffset), request.Handle);
            WriteIdAndSector(entry, abi, request.Id, request.SectorNumber);
            BinaryPrimitives.WriteUInt64LittleEndian(entry.Slice(BlkifLayout.DiscardNrSectorsOffset(abi)), request.NrSectors);
        }

        public static void ReadDiscard(ReadOnlySpan<byte> entry, BlkifAbi abi, out BlkifDiscardRequest request)
        {
            int size = BlkifLayout.RequestSize(abi);
            if (entry.Length < size) ThrowHelper.ThrowEntryTooSmall(entry.Length, size);
            request = default;
            request.Operation = entry[BlkifLayout.OperationOffset];
            request.Flag = entry[BlkifLayout.DiscardFlagOffset];
            request.Handle = BinaryPrimitives.ReadUInt16LittleEndian(entry.Slice(BlkifLayout.HandleOffset));
            request.Id = BinaryPrimitives.ReadUInt64LittleEndian(entry.Slice(BlkifLayout.IdOffset(abi)));
            request.SectorNumber = BinaryPrimitives.ReadUInt64LittleEndian(entry.Slice(BlkifLayout.SectorNumberOffset(abi)));
            request.NrSectors = BinaryPrimitives.ReadUInt64LittleEndian(entry.Slice(BlkifLayout.DiscardNrSectorsOffset(abi)));
        }

        /// <summary>Writes an indirect request; the rest of the ring entry past its 64 bytes is zeroed too.</summary>
        public static void WriteIndirect(Span<byte> entry, BlkifAbi abi, in BlkifIndirectRequest request)
        {
            entry = ClearedEntry(entry, BlkifLayout.RequestSize(abi));
            entry[BlkifLayout.OperationOffset] = request.Operation;
            entry[BlkifLayout.IndirectOpOffset] = request.IndirectOp;
            BinaryPrimitives.WriteUInt16LittleEndian(entry.Slice(BlkifLayout.IndirectNrSegmentsOffset), request.NrSegments);
            WriteIdAndSector(entry, abi, request.Id, request.SectorNumber);
            BinaryPrimitives.WriteUInt16LittleEndian(entry.Slice(BlkifLayout.IndirectHandleOffset(abi)), request.Handle);
            var grefs = entry.Slice(BlkifLayout.IndirectGrefsOffset(abi));
            for (int i = 0; i < BlkifLayout.MaxIndirectPagesPerRequest; i++)
                BinaryPrimitives.WriteUInt32LittleEndian(grefs.Slice(i * 4), request.GetIndirectGref(i));
        }

        public static void ReadIndirect(ReadOnlySpan<byte> entry, BlkifAbi abi, out BlkifIndirectRequest request)
        {
            if (entry.Length < BlkifLayout.IndirectRequestSize) ThrowHelper.ThrowEntryTooSmall(entry.Length, BlkifLayout.IndirectRequestSize);
            request = default;
            request.Operation = entry[BlkifLayout.OperationOffset];
            request.IndirectOp = entry[BlkifLayout.IndirectOpOffset];
            request.NrSegments = BinaryPrimitives.ReadUInt16LittleEndian(entry.Slice(BlkifLayout.IndirectNrSegmentsOffset));
            request.Id = BinaryPrimitives.ReadUInt64LittleEndian(entry.Slice(BlkifLayout.IdOffset(abi)));
            request.SectorNumber = BinaryPrimitives.ReadUInt64LittleEndian(entry.Slice(BlkifLayout.SectorNumberOffset(abi)));
            request.Handle = BinaryPrimitives.ReadUInt16LittleEndian(entry.Slice(BlkifLayout.IndirectHandleOffset(abi)));
            var grefs = entry.Slice(BlkifLayout.IndirectGrefsOffset(abi));
            for (int i = 0; i < BlkifLayout.MaxIndirectPagesPerRequest; i++)
                request.SetIndirectGref(i, BinaryPrimitives.ReadUInt32LittleEndian(grefs.Slice(i * 4)));
        }

        /// <summary>Writes a response field by field, padding zeroed, touching only the response's own bytes.</summary>
        public static void WriteResponse(Span<byte> entry, BlkifAbi abi, in BlkifResponse response)
        {
            entry = ClearedEntry(entry, BlkifLayout.ResponseSize(abi));
            BinaryPrimitives.WriteUInt64LittleEndian(entry.Slice(BlkifLayout.ResponseIdOffset), response.Id);
            entry[BlkifLayout.ResponseOperationOffset] = response.Operation;
            BinaryPrimitives.WriteInt16LittleEndian(entry.Slice(BlkifLayout.ResponseStatusOffset), response.Status);
        }

        /// <summary>
        /// Writes only id, operation and status, as QEMU's <c>xen_block_send_response</c> assigns the three fields of
        /// the response struct in place: the padding bytes keep what the slot held (the request's bytes).
        /// </summary>
        public static void WriteResponseFields(Span<byte> entry, BlkifAbi abi, in BlkifResponse response)
        {
            int size = BlkifLayout.ResponseSize(abi);
            if (entry.Length < size) ThrowHelper.ThrowEntryTooSmall(entry.Length, size);
            BinaryPrimitives.WriteUInt64LittleEndian(entry.Slice(BlkifLayout.ResponseIdOffset), response.Id);
            entry[BlkifLayout.ResponseOperationOffset] = response.Operation;
            BinaryPrimitives.WriteInt16LittleEndian(entry.Slice(BlkifLayout.ResponseStatusOffset), response.Status);
        }

        public static void ReadResponse(ReadOnlySpan<byte> entry, BlkifAbi abi, out BlkifResponse response)
        {
            int size = BlkifLayout.ResponseSize(abi);
            if (entry.Length < size) ThrowHelper.ThrowEntryTooSmall(entry.Length, size);
            response = new BlkifResponse(
                BinaryPrimitives.ReadUInt64LittleEndian(entry.Slice(BlkifLayout.ResponseIdOffset)),
                entry[BlkifLayout.ResponseOperationOffset],
                BinaryPrimitives.ReadInt16LittleEndian(entry.Slice(BlkifLayout.ResponseStatusOffset)));
        }

        public static void WriteSegment(Span<byte> destination, BlkifSegment segment)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(destination.Slice(BlkifLayout.SegGrefOffset), segment.Gref);
            destination[BlkifLayout.SegFirstSectOffset] = segment.FirstSect;
            destination[BlkifLayout.SegLastSectOffset] = segment.LastSect;
            destination[6] = 0;
            destination[7] = 0;
        }

        public static BlkifSegment ReadSegment(ReadOnlySpan<byte> source)
            => new BlkifSegment(
                BinaryPrimitives.ReadUInt32LittleEndian(source.Slice(BlkifLayout.SegGrefOffset)),
                source[BlkifLayout.SegFirstSectOffset],
                source[BlkifLayout.SegLastSectOffset]);

        /// <summary>Segment <paramref name="index"/> of an indirect request, across its indirect pages.</summary>
        public static int IndirectSegmentOffset(int index) => (index % BlkifLayout.SegmentsPerIndirectPage) * BlkifLayout.SegmentSize;

        /// <summary>The writer's own bytes of a ring entry, zeroed first so no stale byte reaches the peer.</summary>
        private static Span<byte> ClearedEntry(Span<byte> entry, int size)
        {
            if (entry.Length < size) ThrowHelper.ThrowEntryTooSmall(entry.Length, size);
            entry = entry.Slice(0, size);
            entry.Clear();
            return entry;
        }

        /// <summary>id and sector_number: the two u64 fields whose offsets differ between the ABIs.</summary>
        private static void WriteIdAndSector(Span<byte> entry, BlkifAbi abi, ulong id, ulong sector)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(entry.Slice(BlkifLayout.IdOffset(abi)), id);
            BinaryPrimitives.WriteUInt64LittleEndian(entry.Slice(BlkifLayout.SectorNumberOffset(abi)), sector);
        }
    }
}

using System;
using System.Buffers.Binary;
using System.Globalization;
using XenVbd.Ring;

namespace XenVbd.Interop.QemuDiff
{
    /// <summary>
    /// One ring entry exactly as a frontend could write it, hostile values included: the slot is first filled
    /// with <see cref="Tail"/> (what a real frontend leaves behind: stale bytes), then the fields are written over
    /// it at the ABI's offsets. All 11 segment places are written, used or not, so a backend that reads a field
    /// at the wrong offset reads a known byte.
    /// </summary>
    public sealed class DiffRequest
    {
        public byte Operation { get; init; }
        public byte NrSegments { get; init; }
        public ushort Handle { get; init; }
        public ulong Id { get; init; }
        public ulong SectorNumber { get; init; }

        /// <summary>Eleven (gref, first_sect, last_sect); only the first <see cref="NrSegments"/> are meant.</summary>
        public (uint Gref, byte First, byte Last)[] Segments { get; init; } = Array.Empty<(uint, byte, byte)>();

        /// <summary>DISCARD only: nr_sectors and the flag byte (BLKIF_DISCARD_SECURE = 1).</summary>
        public ulong DiscardSectors { get; init; }
        public byte DiscardFlag { get; init; }

        public byte[] Tail { get; init; } = Array.Empty<byte>();

        public void Encode(Span<byte> slot, BlkifAbi abi)
        {
            slot.Clear();
            Tail.AsSpan(0, Math.Min(Tail.Length, slot.Length)).CopyTo(slot);
            slot[BlkifLayout.OperationOffset] = Operation;
            BinaryPrimitives.WriteUInt64LittleEndian(slot.Slice(BlkifLayout.IdOffset(abi)), Id);
            BinaryPrimitives.WriteUInt64LittleEndian(slot.Slice(BlkifLayout.SectorNumberOffset(abi)), SectorNumber);
            if (Operation == BlkifOp.Discard)
            {
                slot[BlkifLayout.DiscardFlagOffset] = DiscardFlag;
                BinaryPrimitives.WriteUInt64LittleEndian(slot.Slice(BlkifLayout.DiscardNrSectorsOffset(abi)), DiscardSectors);
                return;
            }
            slot[BlkifLayout.NrSegmentsOffset] = NrSegments;
            BinaryPrimitives.WriteUInt16LittleEndian(slot.Slice(BlkifLayout.HandleOffset), Handle);
            int at = BlkifLayout.SegmentsOffset(abi);
            for (int i = 0; i < Segments.Length && i < BlkifLayout.MaxSegmentsPerRequest; i++, at += BlkifLayout.SegmentSize)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(slot.Slice(at + BlkifLayout.SegGrefOffset), Segments[i].Gref);
                slot[at + BlkifLayout.SegFirstSectOffset] = Segments[i].First;
                slot[at + BlkifLayout.SegLastSectOffset] = Segments[i].Last;
            }
        }

        public override string ToString()
        {
            var inv = CultureInfo.InvariantCulture;
            string name = Operation switch
            {
                BlkifOp.Read => "READ",
                BlkifOp.Write => "WRITE",
                BlkifOp.WriteBarrier => "BARRIER",
                BlkifOp.FlushDiskCache => "FLUSH",
                BlkifOp.Discard => "DISCARD",
                BlkifOp.Indirect => "INDIRECT",
                _ => "op 0x" + Operation.ToString("x2", inv),
            };
            if (Operation == BlkifOp.Discard)
                return string.Format(inv, "{0} id {1:x} sector {2} nr_sectors {3} flag {4}", name, Id, SectorNumber, DiscardSectors, DiscardFlag);
            var segs = new System.Text.StringBuilder();
            for (int i = 0; i < NrSegments && i < Segments.Length; i++)
                segs.Append(inv, $" [{Segments[i].Gref}:{Segments[i].First}-{Segments[i].Last}]");
            return string.Format(inv, "{0} id {1:x} sector {2} nseg {3}{4}", name, Id, SectorNumber, NrSegments, segs);
        }
    }
}

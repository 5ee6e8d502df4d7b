using System;
using System.Collections.Generic;

namespace XenVbd.Ring
{
    /// <summary>
    /// Byte offsets of the blkif wire structures, per ABI, as gcc lays them out from Xen's public
    /// headers with -m32 and -m64. x86_32 aligns u64 to 4, which is why everything after the
    /// handle moves 4 bytes down and the entry shrinks from 112 to 108 bytes.
    /// </summary>
    public static class BlkifLayout
    {
        public const int SectorSize = 512;
        public const int MaxSegmentsPerRequest = 11;
        public const int MaxIndirectPagesPerRequest = 8;
        public const int SegmentSize = 8;
        public const int SegmentsPerIndirectPage = XenPage.Size / SegmentSize;
        public const int MaxRingPageOrder = 4;

        // Shared ring header (identical in both ABIs).
        public const int ReqProdOffset = 0;
        public const int ReqEventOffset = 4;
        public const int RspProdOffset = 8;
        public const int RspEventOffset = 12;
        public const int RingPrivateOffset = 16;
        public const int RingPadOffset = 20;
        public const int RingHeaderSize = 64;

        // Fields at the same place in both ABIs.
        public const int OperationOffset = 0;
        public const int NrSegmentsOffset = 1;
        public const int HandleOffset = 2;
        public const int SegGrefOffset = 0;
        public const int SegFirstSectOffset = 4;
        public const int SegLastSectOffset = 5;
        public const int IndirectOpOffset = 1;
        public const int IndirectNrSegmentsOffset = 2;
        public const int DiscardFlagOffset = 1;
        public const int ResponseIdOffset = 0;
        public const int ResponseOperationOffset = 8;
        public const int ResponseStatusOffset = 10;
        public const int IndirectRequestSize = 64;

        public static int IdOffset(BlkifAbi abi) => abi == BlkifAbi.X86_64 ? 8 : 4;
        public static int SectorNumberOffset(BlkifAbi abi) => abi == BlkifAbi.X86_64 ? 16 : 12;
        public static int SegmentsOffset(BlkifAbi abi) => abi == BlkifAbi.X86_64 ? 24 : 20;
        public static int DiscardNrSectorsOffset(BlkifAbi abi) => abi == BlkifAbi.X86_64 ? 24 : 20;
        public static int IndirectHandleOffset(BlkifAbi abi) => abi == BlkifAbi.X86_64 ? 24 : 20;
        public static int IndirectGrefsOffset(BlkifAbi abi) => abi == BlkifAbi.X86_64 ? 28 : 24;

        /// <summary>Size of <c>blkif_request</c>, which is also the ring entry stride (the union's larger member).</summary>
        public static int RequestSize(BlkifAbi abi) => abi == BlkifAbi.X86_64 ? 112 : 108;

        public static int ResponseSize(BlkifAbi abi) => abi == BlkifAbi.X86_64 ? 16 : 12;

        public static int EntryStride(BlkifAbi abi) => RequestSize(abi);

        /// <summary>Entries on a ring of 2^order pages: what fits after the header, rounded down to a power of two.</summary>
        public static int RingEntries(BlkifAbi abi, int ringPageOrder)
        {
            if ((uint)ringPageOrder > MaxRingPageOrder)
                throw new ArgumentOutOfRangeException(nameof(ringPageOrder), ringPageOrder, "Ring page order must be 0.." + MaxRingPageOrder + ".");
            int fit = ((XenPage.Size << ringPageOrder) - RingHeaderSize) / EntryStride(abi);
            int size = 1;
            while (size * 2 <= fit) size *= 2;
            return size;
        }

        /// <summary>The layout table the engine uses, for people and for the interop tests.</summary>
        public static IReadOnlyList<BlkifFieldInfo> Describe(BlkifAbi abi)
        {
            var id = IdOffset(abi);
            var sector = SectorNumberOffset(abi);
            return new[]
            {
                F(abi, "blkif_sring", "req_prod", ReqProdOffset, 4),
                F(abi, "blkif_sring", "req_event", ReqEventOffset, 4),
                F(abi, "blkif_sring", "rsp_prod", RspProdOffset, 4),
                F(abi, "blkif_sring", "rsp_event", RspEventOffset, 4),
                F(abi, "blkif_sring", "pvt", RingPrivateOffset, 4),
                F(abi, "blkif_sring", "__pad", RingPadOffset, 44),
                F(abi, "blkif_sring", "ring", RingHeaderSize, EntryStride(abi)),
                F(abi, "blkif_request", "operation", OperationOffset, 1),
                F(abi, "blkif_request", "nr_segments", NrSegmentsOffset, 1),
                F(abi, "blkif_request", "handle", HandleOffset, 2),
                F(abi, "blkif_request", "id", id, 8),
                F(abi, "blkif_request", "sector_number", sector, 8),
                F(abi, "blkif_request", "seg", SegmentsOffset(abi), MaxSegmentsPerRequest * SegmentSize),
                F(abi, "blkif_request", "(size)", 0, RequestSize(abi)),
                F(abi, "blkif_request_segment", "gref", SegGrefOffset, 4),
                F(abi, "blkif_request_segment", "first_sect", SegFirstSectOffset, 1),
                F(abi, "blkif_request_segment", "last_sect", SegLastSectOffset, 1),
                F(abi, "blkif_request_segment", "(size)", 0, SegmentSize),
                F(abi, "blkif_request_discard", "flag", DiscardFlagOffset, 1),
                F(abi, "blkif_request_discard", "id", id, 8),
                F(abi, "blkif_request_discard", "sector_number", sector, 8),
                F(abi, "blkif_request_discard", "nr_sectors", DiscardNrSectorsOffset(abi), 8),
                F(abi, "blkif_request_indirect", "indirect_op", IndirectOpOffset, 1),
                F(abi, "blkif_request_indirect", "nr_segments", IndirectNrSegmentsOffset, 2),
                F(abi, "blkif_request_indirect", "id", id, 8),
                F(abi, "blkif_request_indirect", "sector_number", sector, 8),
                F(abi, "blkif_request_indirect", "handle", IndirectHandleOffset(abi), 2),
                F(abi, "blkif_request_indirect", "indirect_grefs", IndirectGrefsOffset(abi), MaxIndirectPagesPerRequest * 4),
                F(abi, "blkif_request_indirect", "(size)", 0, IndirectRequestSize),
                F(abi, "blkif_response", "id", ResponseIdOffset, 8),
                F(abi, "blkif_response", "operation", ResponseOperationOffset, 1),
                F(abi, "blkif_response", "status", ResponseStatusOffset, 2),
                F(abi, "blkif_response", "(size)", 0, ResponseSize(abi)),
            };
        }

        private static BlkifFieldInfo F(BlkifAbi abi, string structure, string field, int offset, int size)
            => new BlkifFieldInfo(abi, structure, field, offset, size);
    }
}

// INTERIM — delete this file when `git merge main` brings XenVbd.Core/Ring/BlkifLayout.cs and
// BlkifFieldInfo.cs (the engine's own versions, same namespace and shape). Until then the cmdlet
// compiles and runs against this internal stand-in; after the merge the compiler would report
// CS0436 (a source type hiding an imported one) as an error, so the file cannot linger unnoticed.
using System.Collections.Generic;

namespace XenVbd.Ring
{
    /// <summary>Stand-in for the engine's BlkifFieldInfo (same members).</summary>
    public sealed class BlkifFieldInfo
    {
        public BlkifFieldInfo(BlkifAbi abi, string structure, string field, int offset, int size)
        {
            Abi = abi;
            Structure = structure;
            Field = field;
            Offset = offset;
            Size = size;
        }

        public BlkifAbi Abi { get; }
        public string Structure { get; }
        public string Field { get; }
        public int Offset { get; }
        public int Size { get; }

        public override string ToString() => Structure + "." + Field + " @" + Offset + " (" + Size + ")";
    }

    /// <summary>Stand-in for the engine's BlkifLayout.Describe (DESIGN.md wire facts).</summary>
    internal static class BlkifLayout
    {
        public static IReadOnlyList<BlkifFieldInfo> Describe(BlkifAbi abi)
        {
            bool x64 = abi == BlkifAbi.X86_64;
            int id = x64 ? 8 : 4, sector = x64 ? 16 : 12, seg = x64 ? 24 : 20;
            BlkifFieldInfo F(string s, string f, int o, int n) => new BlkifFieldInfo(abi, s, f, o, n);
            return new[]
            {
                F("blkif_sring", "req_prod", 0, 4),
                F("blkif_sring", "req_event", 4, 4),
                F("blkif_sring", "rsp_prod", 8, 4),
                F("blkif_sring", "rsp_event", 12, 4),
                F("blkif_sring", "pvt", 16, 4),
                F("blkif_sring", "__pad", 20, 44),
                F("blkif_sring", "ring", 64, x64 ? 112 : 108),
                F("blkif_request", "operation", 0, 1),
                F("blkif_request", "nr_segments", 1, 1),
                F("blkif_request", "handle", 2, 2),
                F("blkif_request", "id", id, 8),
                F("blkif_request", "sector_number", sector, 8),
                F("blkif_request", "seg", seg, 88),
                F("blkif_request", "(size)", 0, x64 ? 112 : 108),
                F("blkif_response", "id", 0, 8),
                F("blkif_response", "operation", 8, 1),
                F("blkif_response", "status", 10, 2),
                F("blkif_response", "(size)", 0, x64 ? 16 : 12),
            };
        }
    }
}

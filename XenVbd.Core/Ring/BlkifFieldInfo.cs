namespace XenVbd.Ring
{
    /// <summary>One row of the wire layout table: a field of a blkif structure in one ABI.</summary>
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
}

namespace XenVbd.Ring
{
    /// <summary>One row of the wire layout table: a field of a blkif structure in one ABI.</summary>
    /// <param name="Abi">The ring layout the row belongs to.</param>
    /// <param name="Structure">The C structure (<c>blkif_request</c>, <c>blkif_response</c>, ...).</param>
    /// <param name="Field">The field's name in that structure.</param>
    /// <param name="Offset">Byte offset of the field from the start of the structure.</param>
    /// <param name="Size">Bytes the field takes.</param>
    public sealed record BlkifFieldInfo(BlkifAbi Abi, string Structure, string Field, int Offset, int Size)
    {
        public override string ToString() => Structure + "." + Field + " @" + Offset + " (" + Size + ")";
    }
}

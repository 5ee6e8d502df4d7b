namespace XenVbd.Workload
{
    /// <summary>What <see cref="BlockHeader.Check"/> found in one sector, before comparing with what was expected.</summary>
    public enum SectorCheck
    {
        Valid,
        Zero,
        Garbage,
        BadChecksum,
        ForeignSeed,
    }
}

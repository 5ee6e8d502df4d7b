namespace XenVbd.Frontend
{
    /// <summary>Whether a frontend advertises Force Unit Access and what it does with a WRITE that has FUA set.</summary>
    public enum FuaPolicy
    {
        /// <summary>MODE SENSE reports no DPOFUA; the FUA bit of a WRITE is not looked at.</summary>
        NotAdvertised = 0,

        /// <summary>DPOFUA reported when the backend can flush; a FUA WRITE completes only after a flush that follows it succeeded.</summary>
        WriteThenFlush,
    }
}

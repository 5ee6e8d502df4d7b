namespace XenVbd.Frontend
{
    /// <summary>SRB_FUNCTION_* values a storage miniport sees (srb.h); xenvbd handles these.</summary>
    public enum SrbFunction : byte
    {
        ExecuteScsi = 0x00,
        AbortCommand = 0x10,
        ResetBus = 0x12,
        ResetDevice = 0x13,
        Flush = 0x08,
        Shutdown = 0x07,
    }
}

namespace XenVbd.Xen
{
    /// <summary>GNTST_* results of grant-table operations (negative values are Xen's).</summary>
    public enum GrantStatus
    {
        Okay = 0,
        GeneralError = -1,
        BadDomain = -2,
        BadGntref = -4,
        BadVirtAddr = -6,
        PermissionDenied = -8,
        NoDeviceSpace = -9,
    }
}

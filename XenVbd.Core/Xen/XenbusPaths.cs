namespace XenVbd.Xen
{
    /// <summary>Where a vbd's two halves keep their XenStore keys.</summary>
    public static class XenbusPaths
    {
        public static string Frontend(int frontendDomain, int deviceId) => "/local/domain/" + frontendDomain + "/device/vbd/" + deviceId;

        public static string Backend(int backendDomain, int frontendDomain, int deviceId) => "/local/domain/" + backendDomain + "/backend/vbd/" + frontendDomain + "/" + deviceId;
    }
}

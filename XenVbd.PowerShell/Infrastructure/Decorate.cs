using System.Management.Automation;

namespace XenVbd.PowerShell.Infrastructure
{
    /// <summary>Adds the device's name to an engine object on its way out, so tables can show and pipelines can bind it.</summary>
    internal static class Decorate
    {
        public const string DeviceNameProperty = "DeviceName";

        public static PSObject WithDevice(object value, string deviceName)
        {
            PSObject pso = PSObject.AsPSObject(value);
            if (pso.Properties[DeviceNameProperty] is null)
            {
                pso.Properties.Add(new PSNoteProperty(DeviceNameProperty, deviceName));
            }

            return pso;
        }
    }
}

using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using XenVbd.Device;

namespace XenVbd.PowerShell.Infrastructure
{
    /// <summary>
    /// Lets a device object stand where a device name goes, the way Remove-Item $fileInfo works: a
    /// <see cref="VbdDevice"/> given by position (Get-VbdRing $d) becomes its name instead of its type name.
    /// Everything else passes through unchanged so normal binding and DeviceNotFound report it.
    /// </summary>
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
    public sealed class DeviceNameTransformationAttribute : ArgumentTransformationAttribute
    {
        /// <inheritdoc />
        public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
        {
            object? value = inputData is PSObject pso ? pso.BaseObject : inputData;
            if (value is VbdDevice device)
            {
                return new[] { VbdDeviceCommandBase.SafeName(device) };
            }

            if (value is string || value is not IEnumerable sequence)
            {
                return inputData;
            }

            var list = new List<object?>();
            bool changed = false;
            foreach (object? item in sequence)
            {
                object? one = item is PSObject p ? p.BaseObject : item;
                if (one is VbdDevice d)
                {
                    list.Add(VbdDeviceCommandBase.SafeName(d));
                    changed = true;
                }
                else
                {
                    list.Add(item);
                }
            }

            return changed ? list.ToArray() : inputData;
        }
    }
}

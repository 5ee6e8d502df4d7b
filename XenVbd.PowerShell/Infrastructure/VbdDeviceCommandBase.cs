using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using XenVbd.Device;

namespace XenVbd.PowerShell.Infrastructure
{
    /// <summary>
    /// Base of the cmdlets that act on devices: a device comes from the pipeline (-Device, by value) or by
    /// name (-Name, by position 0 or by property name; wildcards allowed). Each device is handled by
    /// <see cref="ProcessDevice"/>; an engine exception there becomes a non-terminating ErrorRecord for
    /// that device and the cmdlet goes on with the next one.
    /// </summary>
    public abstract class VbdDeviceCommandBase : PSCmdlet
    {
        /// <summary>The device object (what New-VbdDevice and Get-VbdDevice return).</summary>
        [Parameter(ValueFromPipeline = true)]
        [ValidateNotNull]
        public VbdDevice? Device { get; set; }

        /// <summary>
        /// The device's name; wildcards select several. Bare strings bind from the pipeline ("a1","a2" | Get-VbdRing),
        /// and a device object given by position stands for its name (Get-VbdRing $d).
        /// </summary>
        [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [DeviceNameTransformation]
        [ArgumentCompleter(typeof(DeviceNameCompleter))]
        [SupportsWildcards]
        public string[]? Name { get; set; }

        /// <summary>
        /// The device name carried by piped results (SRB results, statistics, fault rules, ...). It wins over
        /// -Name, because those objects may have a Name of their own (a fault rule's label, a lab's name).
        /// </summary>
        [Parameter(ValueFromPipelineByPropertyName = true, DontShow = true)]
        public string? DeviceName { get; set; }

        /// <summary>When no device is named: true uses every device of the session, false is an error.</summary>
        protected virtual bool AllDevicesByDefault => false;

        /// <summary>Does the cmdlet's work for one device.</summary>
        protected abstract void ProcessDevice(DeviceSession session);

        /// <summary>The error id an unexpected engine exception in <see cref="ProcessDevice"/> gets when it brings none.</summary>
        protected virtual string FailureErrorId => ErrorIds.DeviceQueryFailed;

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            foreach (DeviceSession session in ResolveSessions())
            {
                try
                {
                    ProcessDevice(session);
                }
                catch (Exception ex) when (ex is not RuntimeException && ex is not OperationCanceledException)
                {
                    this.WriteError(ex, session.Name, FailureErrorId);
                }
            }
        }

        /// <summary>The sessions named by -Device or -Name; writes DeviceNotFound for a name nothing matches.</summary>
        protected IReadOnlyList<DeviceSession> ResolveSessions()
        {
            DeviceRegistry registry = DeviceRegistry.Current;
            if (Device is not null)
            {
                DeviceSession? session = registry.Find(Device);
                if (session is null)
                {
                    string? owner = SessionEnd.OwnerOf(Device);
                    if (owner is not null)
                    {
                        this.WriteError(
                            ErrorIds.DeviceOwnedByAnotherSession,
                            ErrorCategory.PermissionDenied,
                            Device,
                            "The device '" + SafeName(Device) + "' belongs to another PowerShell session (" + owner + "), not this one; a device is used only from the session that created it.",
                            "Use it from that session, or create a device of this session's own with New-VbdDevice.");
                        return Array.Empty<DeviceSession>();
                    }

                    this.WriteError(
                        ErrorIds.DeviceRemoved,
                        ErrorCategory.ObjectNotFound,
                        Device,
                        "The device '" + SafeName(Device) + "' is no longer in this session (it was removed, or the module was re-imported).",
                        "Create it again with New-VbdDevice, or list the session's devices with Get-VbdDevice.");
                    return Array.Empty<DeviceSession>();
                }

                return new[] { session };
            }

            string[] names = !string.IsNullOrEmpty(DeviceName)
                ? new[] { DeviceName! }
                : (Name ?? Array.Empty<string>()).Where(n => !string.IsNullOrEmpty(n)).ToArray();
            if (names.Length == 0)
            {
                if (AllDevicesByDefault)
                {
                    return registry.All();
                }

                ThrowTerminatingError(ErrorRecords.Create(
                    ErrorIds.DeviceNotSpecified,
                    ErrorCategory.InvalidArgument,
                    null,
                    "No device given to " + MyInvocation.MyCommand.Name + ".",
                    "Name a device with -Name, pass one with -Device, or pipe one in: Get-VbdDevice vbd0 | " + MyInvocation.MyCommand.Name + "."));
            }

            var result = new List<DeviceSession>();
            foreach (string name in names)
            {
                if (WildcardPattern.ContainsWildcardCharacters(name))
                {
                    if (NamePatterns.TryGet(name, "Name", out ErrorRecord? patternError) is null)
                    {
                        WriteError(patternError!);
                        continue;
                    }

                    result.AddRange(registry.Match(name));
                    continue;
                }

                DeviceSession? session = registry.Find(name);
                if (session is null)
                {
                    WriteDeviceNotFound(name);
                    continue;
                }

                result.Add(session);
            }

            return result;
        }

        /// <summary>The non-terminating DeviceNotFound error every device cmdlet writes.</summary>
        protected void WriteDeviceNotFound(string name)
        {
            int count = DeviceRegistry.Current.Count;
            this.WriteError(
                ErrorIds.DeviceNotFound,
                ErrorCategory.ObjectNotFound,
                name,
                "There is no device named '" + name + "' in this session" + (count == 0 ? " (the session has no devices)." : "."),
                LooksLikeTypeName(name)
                    ? "'" + name + "' is the name of a type, not of a device: an object was turned into text. Pass the device itself (-Device $d, or pipe it), or its name (-Name $d.Name); Get-VbdDevice lists the names."
                    : count == 0 ? "Create one with New-VbdDevice -Name " + name + "." : "Run Get-VbdDevice to see the device names, or create it with New-VbdDevice -Name " + name + ".");
        }

        /// <summary>Whether a "name" is really an object's type name (what PowerShell makes of an object bound to a string).</summary>
        private static bool LooksLikeTypeName(string name)
        {
            if (name.IndexOf('.') < 0 || name.IndexOfAny(new[] { ' ', '/', '\\' }) >= 0)
            {
                return false;
            }

            try
            {
                // The engine lives in a private load context PowerShell's type resolution does not see: ask it first.
                return typeof(VbdDevice).Assembly.GetType(name) is not null
                    || typeof(VbdDeviceCommandBase).Assembly.GetType(name) is not null
                    || new PSTypeName(name).Type is not null;
            }
            catch (Exception ex) when (ex is ArgumentException || ex is System.Management.Automation.RuntimeException)
            {
                return false;
            }
        }

        internal static string SafeName(VbdDevice device)
        {
            try
            {
                return device.Name;
            }
            catch (Exception)
            {
                return "?";
            }
        }
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using XenVbd.Device;
using XenVbd.PowerShell.Infrastructure;
using XenVbd.Xen;

namespace XenVbd.PowerShell.Cmdlets
{
    /// <summary>
    /// <para type="synopsis">Gets the XenStore keys of a device's frontend and backend, with both XenBus states decoded.</para>
    /// <para type="description">Full help ships as MAML in XenVbd.PowerShell.dll-Help.xml.</para>
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "VbdXenStore")]
    [OutputType(typeof(VbdXenStoreEntry))]
    public sealed class GetVbdXenStoreCommand : VbdDeviceCommandBase
    {
        /// <summary>Only keys whose name matches (wildcards), e.g. state or feature-*.</summary>
        [Parameter(Position = 1)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(XenStoreKeyCompleter))]
        public string[]? Key { get; set; }

        /// <summary>Only the frontend's or only the backend's keys.</summary>
        [Parameter]
        [ValidateSet("Frontend", "Backend")]
        public string? Side { get; set; }

        /// <inheritdoc />
        protected override bool AllDevicesByDefault => true;

        /// <inheritdoc />
        protected override void ProcessDevice(DeviceSession session)
        {
            var patterns = new List<WildcardPattern>();
            foreach (string k in Key ?? new[] { "*" })
            {
                WildcardPattern? pattern = NamePatterns.TryGet(k, "Key", out ErrorRecord? patternError);
                if (pattern is null)
                {
                    WriteError(patternError!);
                    return;
                }

                patterns.Add(pattern);
            }

            string frontendDir = session.Device.FrontendPath;
            string backendDir = session.Device.BackendPath;
            XenbusState frontendState = session.Device.FrontendXenbusState;
            XenbusState backendState = session.Device.BackendXenbusState;
            IEnumerable<VbdXenStoreEntry> entries = session.Device.XenStoreKeys
                .Where(pair => pair.Key != frontendDir && pair.Key != backendDir)   // the directory nodes themselves
                .Select(pair => pair.Key.StartsWith(backendDir + "/", StringComparison.Ordinal)
                    ? new VbdXenStoreEntry(session.Name, "Backend", backendDir, backendState, pair.Key, pair.Value)
                    : new VbdXenStoreEntry(session.Name, "Frontend", frontendDir, frontendState, pair.Key, pair.Value))
                .Where(e => patterns.Any(p => p.IsMatch(e.Key)))
                .Where(e => Side is null || string.Equals(e.Side, Side, StringComparison.OrdinalIgnoreCase))
                .OrderBy(e => e.Side == "Frontend" ? 0 : 1)
                .ThenBy(e => e.Path, StringComparer.Ordinal);
            var found = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (VbdXenStoreEntry entry in entries)
            {
                found.Add(entry.Key);
                WriteObject(entry);
            }

            // An exact key asked for and absent: say why rather than return nothing.
            foreach (string key in (Key ?? Array.Empty<string>()).Where(k => !WildcardPattern.ContainsWildcardCharacters(k) && !found.Contains(k)))
            {
                XenVbd.Frontend.FrontendPersonality personality = session.Device.Personality;
                bool hardened = personality == XenVbd.Frontend.FrontendPersonality.Hardened;
                bool noProtocolKey = hardened
                    ? session.Device.Options.FrontendMode == XenVbd.Frontend.FrontendAbiMode.Probe
                    : !DevicePersonalities.For(personality).WritesProtocol;
                string why = !string.Equals(key, XenVbd.Xen.BlkifKeys.Protocol, StringComparison.OrdinalIgnoreCase) || !noProtocolKey
                    ? " Get-VbdXenStore " + session.Name + " lists every key the device has."
                    : hardened
                        ? " A frontend in Probe mode writes no protocol key: it finds the backend's layout with the ABI probe instead, as the GPLPV driver did from 2008 to 2012 (-FrontendMode Announce writes one)."
                        : " " + personality + " writes no protocol key: it finds the backend's layout with the ABI probe instead, as the GPLPV driver did from 2008 to 2012 (Get-VbdPersonality " + personality + " -Detailed says where in its code).";
                WriteWarning("'" + session.Name + "' has no XenStore key '" + key + "'" + (Side is null ? "" : " on the " + Side + " side") + "." + why);
            }
        }
    }
}

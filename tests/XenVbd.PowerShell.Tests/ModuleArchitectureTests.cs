using System;
using System.Collections.Generic;
using System.Linq;
using Mono.Cecil;
using XenVbd.Device;
using XenVbd.PowerShell.Infrastructure;

namespace XenVbd.PowerShell.Tests
{
    /// <summary>
    /// The module's place in the layer graph of docs/ARCHITECTURE.md, enforced on the compiled module: it goes
    /// through Device, Lab, Workload, Faults and Campaign (and cites real drivers through Personality); of the
    /// layers below Device it names only the listed words of the user's surface (the enums and snapshots the
    /// device's own members hand out, and the SCSI command set Invoke-Srb speaks), never their machinery (the
    /// frontend, the backend, the host, the storage, the trace recorder, the ring layout). The check reads every
    /// type the module's metadata references, exactly by full name.
    /// </summary>
    public sealed class ModuleArchitectureTests
    {
        /// <summary>Engine layers the module may name whole. Keep in step with docs/ARCHITECTURE.md.</summary>
        public static readonly string[] AllowedLayers = { "Device", "Lab", "Workload", "Faults", "Campaign", "Personality" };

        /// <summary>
        /// The only types of the other layers the module may name: the words a user types and reads. Each is
        /// an enum, a value or an immutable snapshot VbdDevice (or its options and results) already exposes, or
        /// the pure CDB encode/decode functions of the SCSI command set Invoke-Srb takes.
        /// </summary>
        public static readonly string[] Vocabulary =
        {
            // The blkif words: the ABI, a field of its layout, XenBus states. (Constants such as BlkifKeys' node
            // names and ScsiOp's codes are compiled into the module, so they are no reference to list.)
            "XenVbd.Ring.BlkifAbi", "XenVbd.Ring.BlkifFieldInfo", "XenVbd.Xen.XenbusState",
            // How the two ends are configured and how they report (VbdDeviceOptions, VbdDevice's own properties).
            "XenVbd.Backend.BackendAbiMode", "XenVbd.Backend.BackendPersonality",
            "XenVbd.Frontend.FrontendAbiMode", "XenVbd.Frontend.FrontendPersonality", "XenVbd.Frontend.FrontendBehaviours",
            "XenVbd.Frontend.BounceStrategyKind", "XenVbd.Frontend.FrontendState", "XenVbd.Frontend.FrontendStatistics",
            "XenVbd.Frontend.RingSnapshot", "XenVbd.Frontend.RingSlotInfo",
            // The SCSI command set: statuses, sense, and the CDB builder and decoder (pure functions over bytes).
            "XenVbd.Scsi.SrbStatus", "XenVbd.Scsi.SrbStatusExtensions", "XenVbd.Scsi.ScsiStatus", "XenVbd.Scsi.SenseKey",
            "XenVbd.Scsi.SenseInfo", "XenVbd.Scsi.CdbKind", "XenVbd.Scsi.ScsiCommand",
            "XenVbd.Scsi.CdbBuilder", "XenVbd.Scsi.CdbDecoder",
        };

        private static IReadOnlyList<string> EngineTypesTheModuleNames()
        {
            string engine = typeof(VbdDevice).Assembly.GetName().Name!;
            using var module = ModuleDefinition.ReadModule(typeof(VbdDeviceCommandBase).Assembly.Location);
            return module.GetTypeReferences()
                .Where(t => (t.Scope as AssemblyNameReference)?.Name == engine || (t.DeclaringType?.Scope as AssemblyNameReference)?.Name == engine)
                .Select(t => TopLevel(t).FullName)
                .Distinct().OrderBy(n => n, StringComparer.Ordinal).ToList();
        }

        private static TypeReference TopLevel(TypeReference type)
        {
            while (type.DeclaringType is not null) type = type.DeclaringType;
            return type;
        }

        private static string Layer(string fullName)
        {
            string[] parts = fullName.Split('.');
            return parts.Length > 2 ? parts[1] : string.Empty;   // XenVbd.<Layer>.<Type>; the root namespace is shared by all
        }

        [Fact]
        public void The_module_names_the_engine_only_through_its_layers_and_the_listed_words()
        {
            var wrong = EngineTypesTheModuleNames()
                .Where(n => Layer(n).Length > 0 && !AllowedLayers.Contains(Layer(n)) && !Vocabulary.Contains(n))
                .ToList();
            Assert.True(wrong.Count == 0,
                "The module names engine types it must reach through Device (a member of VbdDevice or a small type in Device/): "
                + string.Join(", ", wrong));
        }

        [Fact]
        public void The_check_sees_real_references()
        {
            // Not vacuous: the module's references include the device and a listed word of the surface.
            var named = EngineTypesTheModuleNames();
            Assert.Contains("XenVbd.Device.VbdDevice", named);
            Assert.Contains("XenVbd.Ring.BlkifAbi", named);
        }

        [Fact]
        public void Every_listed_word_exists_and_is_used()
        {
            // A stale entry would let a type of that name in later without anyone deciding it.
            var engineTypes = new HashSet<string>(typeof(VbdDevice).Assembly.GetTypes().Select(t => t.FullName!));
            var named = EngineTypesTheModuleNames();
            string[] missing = Vocabulary.Where(v => !engineTypes.Contains(v)).ToArray();
            string[] unused = Vocabulary.Where(v => !named.Contains(v)).ToArray();
            Assert.True(missing.Length == 0, "Listed but not in the engine: " + string.Join(", ", missing));
            Assert.True(unused.Length == 0, "Listed but not named by the module: " + string.Join(", ", unused));
        }
    }
}

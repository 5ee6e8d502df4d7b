using System;
using System.Collections.Generic;
using System.Linq;
using NetArchTest.Rules;
using XenVbd.Device;

namespace XenVbd.Tests
{
    /// <summary>
    /// The layer graph of docs/ARCHITECTURE.md, enforced: each folder of XenVbd.Core (one namespace each) may name
    /// only the layers listed for it, so a wrong arrow fails the build's tests instead of creeping in. The root
    /// namespace (MemoryRegion, ThrowHelper) is shared by all.
    /// </summary>
    public sealed class ArchitectureTests
    {
        /// <summary>Layer → the layers it may depend on. Keep in step with the graph in docs/ARCHITECTURE.md.</summary>
        public static readonly IReadOnlyDictionary<string, string[]> Allowed = new Dictionary<string, string[]>
        {
            // Leaves: the deterministic kernel, the wire format, SCSI, disks, and the vocabulary real drivers are cited in.
            ["Sim"] = Array.Empty<string>(),
            ["Ring"] = Array.Empty<string>(),
            ["Scsi"] = Array.Empty<string>(),
            ["Storage"] = Array.Empty<string>(),
            ["Personality"] = Array.Empty<string>(),
            // The hypervisor's part runs on the simulation kernel only.
            ["Xen"] = new[] { "Sim" },
            // The two ends are peers that meet only in Ring and Xen: neither names the other.
            ["Frontend"] = new[] { "Personality", "Ring", "Scsi", "Sim", "Xen" },
            ["Backend"] = new[] { "Personality", "Ring", "Sim", "Storage", "Xen" },
            // Device composes one host; Transport composes a host on the shared-memory file instead (and Device uses it for a QEMU backend).
            ["Device"] = new[] { "Backend", "Frontend", "Personality", "Ring", "Scsi", "Sim", "Storage", "Transport", "Xen" },
            ["Transport"] = new[] { "Backend", "Frontend", "Personality", "Ring", "Scsi", "Sim", "Storage", "Xen" },
            // Above Device.
            // Faults reads the frontend's XenStore path and event channel through the device (DeviceFaultSession).
            ["Faults"] = new[] { "Backend", "Device", "Frontend", "Personality", "Ring", "Sim", "Storage", "Xen" },
            // Workload runs the device's scheduler (VbdDevice.Host, a Xen type) while it drives SRBs.
            ["Workload"] = new[] { "Device", "Faults", "Frontend", "Personality", "Scsi", "Sim", "Storage", "Xen" },
            ["Lab"] = new[] { "Personality", "Workload" },
            ["Campaign"] = new[] { "Backend", "Device", "Faults", "Frontend", "Personality", "Ring", "Scsi", "Sim", "Storage", "Workload", "Xen" },
        };

        public static IEnumerable<object[]> Layers() => Allowed.Keys.Select(k => new object[] { k });

        [Theory]
        [MemberData(nameof(Layers))]
        public void A_layer_names_only_the_layers_below_it(string layer)
        {
            string[] forbidden = Allowed.Keys.Where(k => k != layer && !Allowed[layer].Contains(k)).Select(k => "XenVbd." + k).ToArray();
            var result = Types.InAssembly(typeof(VbdDevice).Assembly)
                .That().ResideInNamespace("XenVbd." + layer)
                .ShouldNot().HaveDependencyOnAny(forbidden)
                .GetResult();
            var offenders = result.FailingTypeNames ?? Array.Empty<string>();
            Assert.True(result.IsSuccessful, layer + " names a layer it may not (allowed: " + string.Join(", ", Allowed[layer]) + "): " + string.Join(", ", offenders));
        }

        [Fact]
        public void Every_folder_of_the_engine_is_a_layer_in_the_graph()
        {
            var namespaces = typeof(VbdDevice).Assembly.GetTypes()
                .Select(t => t.Namespace).Where(n => n != null && n.StartsWith("XenVbd.", StringComparison.Ordinal))
                .Select(n => n!.Substring("XenVbd.".Length).Split('.')[0]).Distinct().OrderBy(n => n).ToArray();
            Assert.Equal(Allowed.Keys.OrderBy(k => k).ToArray(), namespaces);
        }

        [Fact]
        public void The_rule_sees_real_dependencies()
        {
            // Not vacuous: the same rule finds Device's dependency on Frontend, which the graph allows.
            var result = Types.InAssembly(typeof(VbdDevice).Assembly)
                .That().ResideInNamespace("XenVbd.Device")
                .ShouldNot().HaveDependencyOn("XenVbd.Frontend")
                .GetResult();
            Assert.False(result.IsSuccessful);
        }
    }
}

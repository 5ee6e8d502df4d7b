using System;
using System.Collections.Generic;
using XenVbd.Backend;
using XenVbd.Device;
using XenVbd.Frontend;
using XenVbd.Ring;

namespace XenVbd.Campaign
{
    /// <summary>
    /// The device axes a campaign can sweep, in the order a case's settings are enumerated and printed. This is
    /// the one place that maps an axis name to a <see cref="VbdDeviceOptions"/> property: a new device option
    /// (a frontend or backend personality) becomes a campaign axis by one more entry in <see cref="Default"/>.
    /// Immutable, so concurrent cases share it safely; <see cref="With"/> makes a set with one more axis.
    /// </summary>
    public sealed class CampaignAxisSet
    {
        private readonly CampaignAxis[] _axes;

        public CampaignAxisSet(IEnumerable<CampaignAxis> axes)
        {
            var list = new List<CampaignAxis>(axes ?? throw new ArgumentNullException(nameof(axes)));
            var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var a in list)
                if (!seen.Add(a.Name)) throw new ArgumentException("Axis " + a.Name + " appears twice.", nameof(axes));
            _axes = list.ToArray();
        }

        /// <summary>Every device option a campaign sweeps today.</summary>
        public static CampaignAxisSet Default { get; } = new CampaignAxisSet(new[]
        {
            CampaignAxis.ForEnum("FrontendAbi", BlkifAbi.X86_64, (o, v) => o.FrontendAbi = v, "the frontend's native ring layout (domU bitness)"),
            CampaignAxis.ForEnum("FrontendMode", FrontendAbiMode.Probe, (o, v) => o.FrontendMode = v, "how the frontend picks the ring layout: probe, announce, or both"),
            CampaignAxis.ForEnum("BackendAbi", BlkifAbi.X86_64, (o, v) => o.BackendAbi = v, "the backend's native ring layout (dom0 bitness)"),
            CampaignAxis.ForEnum("BackendMode", BackendAbiMode.Protocol, (o, v) => o.BackendMode = v, "whether blkback honours the protocol key or uses its native layout"),
            CampaignAxis.ForEnum("Bounce", BounceStrategyKind.PerSrb, (o, v) => o.Bounce = v, "the frontend's bounce-buffer strategy for misaligned buffers"),
            CampaignAxis.ForIntegers("MaxRingPageOrder", new[] { 0, 1, 2, 3, 4 }, (o, v) => o.MaxRingPageOrder = v, "the frontend's ring-page-order limit"),
            CampaignAxis.ForIntegers("MaxIndirectSegments", new[] { 0, 8, 16, 32, 64, 128, 256 }, (o, v) => o.MaxIndirectSegments = v, "indirect segments per request; 0 = direct requests only"),
            CampaignAxis.ForSwitch("UntrustedBackend", (o, v) => o.UntrustedBackend = v, "bounce every transfer so the backend never sees guest buffers (XSA-403)"),
            CampaignAxis.ForSwitch("VolatileWriteCache", (o, v) => o.VolatileWriteCache = v, "a write-back cache in front of the disk (PowerCut faults need it)"),
            CampaignAxis.ForEnum("Personality", FrontendOptions.DefaultPersonality, (o, v) => o.Personality = v, "which real frontend the guest runs (a real driver's personality fixes its own mode and bounce strategy)"),
            CampaignAxis.ForEnum("BackendPersonality", BackendPersonality.LinuxBlkback, (o, v) => o.BackendPersonality = v, "which real backend dom0 runs"),
        });

        /// <summary>
        /// The axes only the <see cref="FrontendPersonality.Hardened"/> design may choose: a real driver's personality
        /// has its own frontend mode and bounce strategy (<see cref="FrontendOptions.EffectiveBounce"/>), so beside it
        /// these settings would change nothing but the case's name.
        /// </summary>
        public static IReadOnlyList<string> HardenedOnlyAxes { get; } = new[] { "FrontendMode", "Bounce" };

        public IReadOnlyList<CampaignAxis> Axes => _axes;

        /// <summary>
        /// Why <paramref name="matrix"/> sweeps a <see cref="HardenedOnlyAxes">Hardened-only axis</see> beside a real
        /// driver's personality it lists on its Personality axis (cases that would repeat one case under other
        /// names), or null when it does not.
        /// </summary>
        public static string? HardenedOnlyConflict(CampaignMatrix matrix)
        {
            if (matrix == null) throw new ArgumentNullException(nameof(matrix));
            string[]? personalities = SweptValues(matrix, "Personality");
            if (personalities == null) return null;
            var real = new List<string>();
            foreach (var p in personalities)
                if (!string.Equals(p, nameof(FrontendPersonality.Hardened), StringComparison.OrdinalIgnoreCase)) real.Add(p);
            if (real.Count == 0) return null;
            foreach (var name in HardenedOnlyAxes)
            {
                string[]? values = SweptValues(matrix, name);
                if (values == null) continue;
                return name + " (" + string.Join(", ", values) + ") is swept beside Personality " + string.Join(", ", real)
                    + ": a real driver's personality has its own " + name + ", so those cases would repeat one case under other names. "
                    + "Sweep " + name + " with Personality = 'Hardened' alone, and run the real drivers in a campaign of their own without " + name + ".";
            }
            return null;
        }

        /// <summary>
        /// A note for a matrix that sweeps a <see cref="HardenedOnlyAxes">Hardened-only axis</see> without a
        /// Personality axis: every case then runs the default personality, a real driver, whose own setting is used.
        /// Null when there is nothing to say.
        /// </summary>
        public static string? DefaultPersonalityNote(CampaignMatrix matrix)
        {
            if (matrix == null) throw new ArgumentNullException(nameof(matrix));
            if (!matrix.AxisSet.TryGet("Personality", out var personality) || SweptValues(matrix, personality.Name) != null) return null;
            if (string.Equals(personality.Default, nameof(FrontendPersonality.Hardened), StringComparison.OrdinalIgnoreCase)) return null;
            foreach (var name in HardenedOnlyAxes)
            {
                if (SweptValues(matrix, name) == null) continue;
                return name + " is swept, but every case runs the default personality " + personality.Default
                    + ", which uses its own " + name + ": add Personality = 'Hardened' to the matrix (-Axis @{ Personality = 'Hardened' }) for the swept values to take effect.";
            }
            return null;
        }

        private static string[]? SweptValues(CampaignMatrix matrix, string axis)
        {
            foreach (var kv in matrix.Axes)
                if (string.Equals(kv.Key.Name, axis, StringComparison.OrdinalIgnoreCase)) return kv.Value;
            return null;
        }

        public bool TryGet(string name, out CampaignAxis axis)
        {
            foreach (var a in _axes)
            {
                if (!string.Equals(a.Name, name, StringComparison.OrdinalIgnoreCase)) continue;
                axis = a;
                return true;
            }
            axis = null!;
            return false;
        }

        public CampaignAxis Get(string name)
        {
            if (TryGet(name, out var axis)) return axis;
            var names = new List<string>();
            foreach (var a in _axes) names.Add(a.Name);
            throw new ArgumentException("There is no campaign axis '" + name + "'; the axes are " + string.Join(", ", names) + ".", nameof(name));
        }

        /// <summary>Position of an axis in enumeration order.</summary>
        public int IndexOf(string name)
        {
            for (int i = 0; i < _axes.Length; i++)
                if (string.Equals(_axes[i].Name, name, StringComparison.OrdinalIgnoreCase)) return i;
            return -1;
        }

        /// <summary>This set plus one axis at the end (a test's planted bug, a new device option being tried out).</summary>
        public CampaignAxisSet With(CampaignAxis axis)
        {
            var list = new List<CampaignAxis>(_axes) { axis ?? throw new ArgumentNullException(nameof(axis)) };
            return new CampaignAxisSet(list);
        }
    }
}

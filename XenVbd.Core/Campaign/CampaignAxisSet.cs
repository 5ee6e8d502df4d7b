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

        public IReadOnlyList<CampaignAxis> Axes => _axes;

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

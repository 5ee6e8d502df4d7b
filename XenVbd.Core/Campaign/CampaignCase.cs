using System;
using System.Collections.Generic;
using System.Text;

namespace XenVbd.Campaign
{
    /// <summary>
    /// One cell of a campaign: device settings (axis = value, in the axis set's order), a fault plan, a workload,
    /// a seed and a device count. Complete on its own: a replay file holds exactly this, and running it again
    /// gives the same result, whatever else ran beside it.
    /// </summary>
    public sealed class CampaignCase
    {
        public CampaignCase(long index, IReadOnlyList<KeyValuePair<string, string>> settings, string faultPlan, IReadOnlyList<CampaignFaultRule> faults,
            string workloadName, CampaignWorkload workload, ulong seed, int devices)
        {
            if (index < 0) throw new ArgumentOutOfRangeException(nameof(index), index, "A case index is not negative.");
            if (devices < 1) throw new ArgumentOutOfRangeException(nameof(devices), devices, "A case runs on at least one device.");
            Index = index;
            Settings = settings ?? throw new ArgumentNullException(nameof(settings));
            FaultPlan = faultPlan ?? throw new ArgumentNullException(nameof(faultPlan));
            Faults = faults ?? throw new ArgumentNullException(nameof(faults));
            WorkloadName = workloadName ?? throw new ArgumentNullException(nameof(workloadName));
            Workload = workload ?? throw new ArgumentNullException(nameof(workload));
            Seed = seed;
            Devices = devices;
        }

        /// <summary>Position in the matrix's enumeration; orders every output and picks the shard.</summary>
        public long Index { get; }

        public IReadOnlyList<KeyValuePair<string, string>> Settings { get; }

        public string FaultPlan { get; }

        public IReadOnlyList<CampaignFaultRule> Faults { get; }

        public string WorkloadName { get; }

        public CampaignWorkload Workload { get; }

        public ulong Seed { get; }

        /// <summary>Devices the case runs its workload on, one after another (device d uses seed + d).</summary>
        public int Devices { get; }

        /// <summary>The device settings as one string, e.g. <c>FrontendAbi=X86_32 Bounce=PerSrb</c>: a row of the HTML grid.</summary>
        public string Configuration
        {
            get
            {
                if (Settings.Count == 0) return "(defaults)";
                var sb = new StringBuilder();
                foreach (var s in Settings)
                {
                    if (sb.Length > 0) sb.Append(' ');
                    sb.Append(s.Key).Append('=').Append(s.Value);
                }
                return sb.ToString();
            }
        }

        public string? Setting(string axis)
        {
            foreach (var s in Settings)
                if (string.Equals(s.Key, axis, StringComparison.OrdinalIgnoreCase)) return s.Value;
            return null;
        }

        /// <summary>A copy with some parts replaced (the shrinker's step).</summary>
        public CampaignCase With(IReadOnlyList<KeyValuePair<string, string>>? settings = null, IReadOnlyList<CampaignFaultRule>? faults = null,
            CampaignWorkload? workload = null, int? devices = null)
            => new CampaignCase(Index, settings ?? Settings, FaultPlan, faults ?? Faults, WorkloadName, workload ?? Workload, Seed, devices ?? Devices);

        /// <summary>Everything the case is, on one line: what a shrunk reproduction shows.</summary>
        public override string ToString()
        {
            var faults = new List<string>();
            foreach (var r in Faults) faults.Add(r.ToString());
            return "#" + Index + " " + Configuration + "; faults " + FaultPlan + " [" + string.Join(", ", faults) + "]; workload " + WorkloadName + " ["
                   + Workload + "]; seed " + Seed + (Devices > 1 ? "; " + Devices + " devices" : "");
        }
    }
}

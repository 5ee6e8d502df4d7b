using System.Collections.Generic;
using System.Globalization;
using System.Text;
using XenVbd.Ring;

namespace XenVbd.Interop.QemuDiff
{
    /// <summary>One generated run: the layout, the ring, the starting bytes of disk and guest memory, the steps.</summary>
    public sealed class DiffStream
    {
        public int Index { get; init; }
        public BlkifAbi Abi { get; init; }
        public int RingPageOrder { get; init; }

        /// <summary>Seeds the starting image and the data pages (the same on both sides).</summary>
        public ulong ContentSeed { get; init; }

        public IReadOnlyList<DiffStep> Steps { get; init; } = new List<DiffStep>();

        public DiffScenario Scenario { get; init; } = DiffScenario.Steps;

        /// <summary><see cref="DiffScenario.RequestProducerRace"/>: how many WRITEs.</summary>
        public int RaceRequests { get; init; } = 1024;

        public string Describe()
        {
            var sb = new StringBuilder();
            sb.Append(CultureInfo.InvariantCulture, $"stream {Index}: {Abi.ToProtocolString()}, ring-page-order {RingPageOrder}, {Scenario}, {Steps.Count} steps");
            for (int i = 0; i < Steps.Count; i++)
            {
                var s = Steps[i];
                sb.Append(CultureInfo.InvariantCulture, $"\n    step {i} {s.Kind}{(s.Kind == DiffStepKind.Overflow ? " +" + s.Excess : "")}:");
                int shown = s.Kind == DiffStepKind.Overflow ? 2 : s.Requests.Count;
                for (int j = 0; j < shown && j < s.Requests.Count; j++) sb.Append("\n      ").Append(s.Requests[j]);
                if (shown < s.Requests.Count) sb.Append(CultureInfo.InvariantCulture, $"\n      ... {s.Requests.Count - shown} more like it");
            }
            return sb.ToString();
        }
    }
}

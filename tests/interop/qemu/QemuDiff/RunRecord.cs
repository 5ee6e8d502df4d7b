using System.Collections.Generic;

namespace XenVbd.Interop.QemuDiff
{
    /// <summary>Everything one backend produced for one stream.</summary>
    public sealed class RunRecord
    {
        public string Backend { get; init; } = "";
        public SortedDictionary<string, string> KeysAtConnect { get; set; } = new SortedDictionary<string, string>();
        public string ChosenAbi { get; set; } = "";
        public List<StepRecord> Steps { get; } = new List<StepRecord>();
        public int FinalBackendState { get; set; }

        /// <summary>The backend's state once the connect attempt settled (Connected, or what a refused ring leads to).</summary>
        public int StateAfterConnect { get; set; }

        /// <summary>The backend's keys once the connect attempt settled (an <c>error</c> key shows here).</summary>
        public SortedDictionary<string, string> KeysAfterConnect { get; set; } = new SortedDictionary<string, string>();
        public byte[] Image { get; set; } = System.Array.Empty<byte>();
        public string? Error { get; set; }
        public string Log { get; set; } = "";
    }
}

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
        public byte[] Image { get; set; } = System.Array.Empty<byte>();
        public string? Error { get; set; }
        public string Log { get; set; } = "";
    }
}

using System.Collections.Generic;

namespace XenVbd.Interop.QemuDiff
{
    /// <summary>What the frontend saw after one step: each response slot as read, the ring and the data pages once settled.</summary>
    public sealed class StepRecord
    {
        public List<byte[]> Responses { get; } = new List<byte[]>();
        public uint RspProd { get; set; }
        public bool TimedOut { get; set; }
        public byte[] Ring { get; set; } = System.Array.Empty<byte>();
        public byte[] Data { get; set; } = System.Array.Empty<byte>();

        /// <summary>Ring slots this step wrote requests into or got responses in; the ring comparison of the step covers these (and the header).</summary>
        public HashSet<int> TouchedSlots { get; } = new HashSet<int>();
    }
}

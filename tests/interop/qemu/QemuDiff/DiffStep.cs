using System.Collections.Generic;

namespace XenVbd.Interop.QemuDiff
{
    public sealed class DiffStep
    {
        public DiffStepKind Kind { get; init; }

        /// <summary>Single/Batch: the requests pushed. Overflow: one per ring slot, in slot order from req_prod.</summary>
        public IReadOnlyList<DiffRequest> Requests { get; init; } = new List<DiffRequest>();

        /// <summary>Overflow only: how far past a full ring req_prod is set (1..ring size).</summary>
        public int Excess { get; init; }
    }
}

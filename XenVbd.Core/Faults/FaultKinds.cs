using System;

namespace XenVbd.Faults
{
    /// <summary>Facts about fault kinds the engine dispatches on, kept in one place so the plan and the injector agree.</summary>
    public static class FaultKinds
    {
        /// <summary>
        /// Number of <see cref="FaultKind"/> values; counters are arrays of this length, indexed by kind (the
        /// values run 0..Count-1, which FaultKindsTests holds).
        /// </summary>
        public static readonly int Count = Enum.GetValues(typeof(FaultKind)).Length;

        /// <summary>
        /// Per-request kinds are decided by the backend interceptor once per consumed request; the rest are
        /// events on the virtual clock (or hooks on the event channel and the disk).
        /// </summary>
        public static bool IsPerRequest(this FaultKind kind) => kind switch
        {
            FaultKind.Latency or FaultKind.Reorder or FaultKind.Duplicate or FaultKind.Drop or FaultKind.Error
                or FaultKind.NotSupported or FaultKind.BadId or FaultKind.WrongOp or FaultKind.RspProdJump
                or FaultKind.SlowStorage or FaultKind.SwappedId => true,
            _ => false,
        };
    }
}

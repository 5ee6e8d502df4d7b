using System;
using XenVbd.Backend;
using XenVbd.Ring;

namespace XenVbd.Faults
{
    /// <summary>
    /// Plugs a <see cref="FaultInjector"/> into blkback's interceptor seam: each consumed request is
    /// described to the Polly decision pipeline and its <see cref="BackendDecision"/> is written onto the
    /// backend's plan. Allocation-free per request.
    /// </summary>
    public sealed class FaultInterceptor : IBackendInterceptor
    {
        public FaultInterceptor(FaultInjector injector, BadSectorMap? badSectors = null)
        {
            Injector = injector ?? throw new ArgumentNullException(nameof(injector));
            BadSectors = badSectors;
        }

        public FaultInjector Injector { get; }

        /// <summary>Bad sectors enforced at this seam (dm-dust semantics), or null.</summary>
        public BadSectorMap? BadSectors { get; }

        public void OnRequest(BlkBack backend, ref BackendRequestPlan plan)
        {
            long sectors = plan.SectorCount > int.MaxValue ? int.MaxValue : (long)plan.SectorCount;
            long first = plan.SectorNumber > long.MaxValue ? long.MaxValue : (long)plan.SectorNumber;
            var bad = BadSectors;
            if (bad != null && bad.Count > 0)
            {
                if (plan.IoOperation == BlkifOp.Read && bad.FailsRead(first, sectors)) plan.StatusOverride = BlkifStatus.Error;
                else if (plan.IoOperation == BlkifOp.Write) bad.Written(first, sectors);
            }
            var inFlight = plan.InFlight;
            var decision = Injector.Decide(new RequestInfo(plan.IoOperation, plan.Id, first, sectors, inFlight?.InFlightCount ?? 0));
            if (decision.IsDefault) return;
            plan.ExtraLatencyTicks += decision.ExtraLatencyTicks;
            if (decision.Drop) plan.DropResponse = true;
            if (decision.Duplicate) plan.DuplicateResponse = true;
            if (decision.OverrideStatus) plan.StatusOverride = decision.Status;
            if (decision.CorruptId) plan.CorruptId = true;
            if (decision.SwapId && inFlight != null) Swap(ref plan, inFlight, decision);
            if (decision.CorruptOp) plan.CorruptOperation = true;
            if (decision.RspProdJump > 0) plan.RspProdJump = (ushort)Math.Min(ushort.MaxValue, decision.RspProdJump);
        }

        /// <summary>
        /// The answer takes the id of the (draw mod count)-th other request in flight. The pipeline only fires a
        /// swapped-id rule when one is (<see cref="RequestInfo.OthersInFlight"/>), so a rule waits for a partner.
        /// </summary>
        private static void Swap(ref BackendRequestPlan plan, IInFlightRequests inFlight, in BackendDecision decision)
        {
            int count = inFlight.InFlightCount;
            if (count == 0) return;
            ulong named = inFlight.InFlightRequestId((int)(decision.SwapIdPick % (uint)count), out ulong namedSector);
            plan.IdOverride = named;
            if (decision.SwapRule != null) decision.SwapRule.LastSwap = new SwappedIdRecord(TimeSpan.FromTicks(plan.Now), plan.Id, plan.SectorNumber, named, namedSector);
        }
    }
}

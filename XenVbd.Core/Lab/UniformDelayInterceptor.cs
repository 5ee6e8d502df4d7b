using System;
using XenVbd.Backend;

namespace XenVbd.Lab
{
    /// <summary>
    /// Holds back every response by a fixed virtual delay — refused requests included, so the ABI
    /// probe's two op-0xff requests wait too. Installed through <c>VbdDeviceOptions.BackendInterceptor</c>
    /// so it is in place before the backend connects.
    /// </summary>
    internal sealed class UniformDelayInterceptor : IBackendInterceptor
    {
        private readonly long _ticks;

        public UniformDelayInterceptor(TimeSpan delay) => _ticks = delay.Ticks;

        public long Requests { get; private set; }

        public void OnRequest(BlkBack backend, ref BackendRequestPlan plan)
        {
            Requests++;
            plan.ExtraLatencyTicks += _ticks;
        }
    }
}

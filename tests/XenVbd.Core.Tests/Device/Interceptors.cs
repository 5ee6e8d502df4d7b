using XenVbd.Backend;

namespace XenVbd.Tests.Device
{
    /// <summary>A backend interceptor driven by a lambda, for bending individual responses in tests.</summary>
    internal sealed class Bend : IBackendInterceptor
    {
        private readonly PlanEdit _edit;

        public Bend(PlanEdit edit) => _edit = edit;

        public int Seen { get; private set; }

        public void OnRequest(BlkBack backend, ref BackendRequestPlan plan)
        {
            Seen++;
            _edit(ref plan, Seen);
        }
    }

    public delegate void PlanEdit(ref BackendRequestPlan plan, int nth);
}

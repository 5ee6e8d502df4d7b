using XenVbd.Backend;

namespace XenVbd.Tests.Support
{
    /// <summary>An interceptor that runs a test's lambda on every plan (the Polly-based one lives elsewhere).</summary>
    public sealed class LambdaInterceptor : IBackendInterceptor
    {
        public delegate void PlanAction(ref BackendRequestPlan plan);

        private readonly PlanAction _action;

        public LambdaInterceptor(PlanAction action) => _action = action;

        public int Calls { get; private set; }

        public void OnRequest(BlkBack backend, ref BackendRequestPlan plan)
        {
            Calls++;
            _action(ref plan);
        }
    }
}

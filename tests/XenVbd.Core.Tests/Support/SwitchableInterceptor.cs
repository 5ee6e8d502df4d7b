using XenVbd.Backend;

namespace XenVbd.Tests.Support
{
    /// <summary>
    /// A backend's hook a test can change while the backend runs: the backend is made with this one
    /// (<see cref="BlkBackOptions.Interceptor"/> is fixed for a backend's life), the test sets <see cref="Current"/>.
    /// </summary>
    public sealed class SwitchableInterceptor : IBackendInterceptor
    {
        public IBackendInterceptor? Current { get; set; }

        public void OnRequest(BlkBack backend, ref BackendRequestPlan plan) => Current?.OnRequest(backend, ref plan);
    }
}

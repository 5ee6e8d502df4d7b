using System;
using XenVbd.Storage;
using XenVbd.Xen;

namespace XenVbd.Device
{
    /// <summary>The in-process machine on the virtual clock: the blkback model runs on the same <see cref="XenHost"/> as the frontend.</summary>
    public sealed class ModelBackendHost : IVbdBackendHost
    {
        /// <summary>Events the device will run waiting for one thing before it calls the wait hung.</summary>
        public const long MaxEventsPerWait = 50_000_000;

        public ModelBackendHost(ulong seed, int frontendDomainId, int guestPages, int grants, string backendPath)
        {
            Host = new XenHost(seed);
            Guest = Host.CreateDomain(frontendDomainId, guestPages, grants);
            BackendPath = backendPath;
        }

        public VbdBackendKind Kind => VbdBackendKind.Model;

        public XenHost Host { get; }

        public Domain Guest { get; }

        public string BackendPath { get; }

        public string Description => "the blkback model";

        public IBlockStorage? ServedStorage => null;

        public bool RunWhile(Func<bool> condition, string waitingFor) => Host.Scheduler.RunWhile(condition, MaxEventsPerWait);

        public void RunUntilIdle(Func<bool> frontendIdle) => Host.Scheduler.RunUntilIdle(MaxEventsPerWait);

        public void CatchUp()
        {
        }

        public void Attach(Frontend.XenVbdFrontend frontend)
        {
        }

        public void Shutdown()
        {
        }

        public void Dispose() => Host.Dispose();
    }
}

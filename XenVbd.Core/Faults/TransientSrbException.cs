using System;

namespace XenVbd.Faults
{
    /// <summary>
    /// An SRB attempt that failed in a way the class driver retries (SRB_STATUS_BUS_RESET, a host-side
    /// timeout): thrown by host chaos and by callers that turn a retryable SRB status into a failure.
    /// </summary>
    public sealed class TransientSrbException : Exception
    {
        public TransientSrbException(string message) : base(message)
        {
        }
    }
}

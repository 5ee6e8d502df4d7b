namespace XenVbd.Frontend
{
    /// <summary>Life of a request id.</summary>
    public enum ShadowState : byte
    {
        Free,

        /// <summary>On the ring for a live SRB.</summary>
        InFlight,

        /// <summary>On the ring, but its SRB was completed by a reset: a late response only releases grants.</summary>
        Orphaned,

        /// <summary>Answered, but the backend still maps one of its grants (XSA-396): not reusable until it lets go.</summary>
        Quarantined,
    }
}

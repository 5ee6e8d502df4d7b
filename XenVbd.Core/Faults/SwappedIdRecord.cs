using System;
using System.Globalization;

namespace XenVbd.Faults
{
    /// <summary>
    /// One response a <see cref="FaultKind.SwappedId"/> rule bent: the request the backend answered and the other
    /// in-flight request whose id the answer carried. A value, so recording it on the I/O path allocates nothing.
    /// </summary>
    /// <param name="Time">Virtual time the backend decided it.</param>
    /// <param name="AnsweredId">The request that was served; its own answer never comes.</param>
    /// <param name="AnsweredSector">Its first 512-byte sector.</param>
    /// <param name="NamedId">The request whose id the answer carried; its own answer still comes later.</param>
    /// <param name="NamedSector">Its first 512-byte sector.</param>
    public readonly record struct SwappedIdRecord(TimeSpan Time, ulong AnsweredId, ulong AnsweredSector, ulong NamedId, ulong NamedSector)
    {
        public override string ToString() => string.Format(CultureInfo.InvariantCulture,
            "the answer to request {0} (sector {1}) carried the id of request {2} (sector {3}) at {4:0.###} ms",
            AnsweredId, AnsweredSector, NamedId, NamedSector, Time.TotalMilliseconds);
    }
}

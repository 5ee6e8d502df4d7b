using System;
using XenVbd.Scsi;

namespace XenVbd.Device
{
    /// <summary>What one <see cref="VbdDevice.Execute"/> returned: statuses, sense, data and what it cost.</summary>
    /// <param name="SrbStatus">The SRB status the miniport completed it with.</param>
    /// <param name="ScsiStatus">The SCSI status byte.</param>
    /// <param name="Sense">Auto-sense bytes (fixed format); empty when there is none.</param>
    /// <param name="SenseInfo">The decoded sense condition, when there is one.</param>
    /// <param name="Data">Data-in bytes actually transferred.</param>
    /// <param name="RequestsUsed">blkif requests the SRB took.</param>
    /// <param name="BouncePasses">Passes through a bounce buffer.</param>
    /// <param name="BytesBounced">Bytes copied through bounce buffers.</param>
    /// <param name="Latency">Virtual time from submit to completion.</param>
    public sealed record SrbResult(SrbStatus SrbStatus, ScsiStatus ScsiStatus, byte[] Sense, SenseInfo? SenseInfo, byte[] Data, int RequestsUsed, int BouncePasses, long BytesBounced, TimeSpan Latency)
    {
        public bool IsSuccess => SrbStatus.Base() == SrbStatus.Success && ScsiStatus == ScsiStatus.Good;

        public override string ToString()
            => SrbStatus.Base() + "/" + ScsiStatus + (SenseInfo is SenseInfo s ? " " + s : string.Empty) + ", " + Data.Length + " bytes, " + RequestsUsed + " request(s), " + BouncePasses + " bounce pass(es)";
    }
}

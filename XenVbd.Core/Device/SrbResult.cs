using System;
using XenVbd.Scsi;

namespace XenVbd.Device
{
    /// <summary>What one <see cref="VbdDevice.Execute"/> returned: statuses, sense, data and what it cost.</summary>
    public sealed class SrbResult
    {
        public SrbResult(SrbStatus srbStatus, ScsiStatus scsiStatus, byte[] sense, SenseInfo? senseInfo, byte[] data, int requestsUsed, int bouncePasses, long bytesBounced, TimeSpan latency)
        {
            SrbStatus = srbStatus;
            ScsiStatus = scsiStatus;
            Sense = sense;
            SenseInfo = senseInfo;
            Data = data;
            RequestsUsed = requestsUsed;
            BouncePasses = bouncePasses;
            BytesBounced = bytesBounced;
            Latency = latency;
        }

        public SrbStatus SrbStatus { get; }

        public ScsiStatus ScsiStatus { get; }

        /// <summary>Auto-sense bytes (fixed format); empty when there is none.</summary>
        public byte[] Sense { get; }

        public SenseInfo? SenseInfo { get; }

        /// <summary>Data-in bytes actually transferred.</summary>
        public byte[] Data { get; }

        public int RequestsUsed { get; }

        public int BouncePasses { get; }

        public long BytesBounced { get; }

        /// <summary>Virtual time from submit to completion.</summary>
        public TimeSpan Latency { get; }

        public bool IsSuccess => SrbStatus.Base() == SrbStatus.Success && ScsiStatus == ScsiStatus.Good;

        public override string ToString()
            => SrbStatus.Base() + "/" + ScsiStatus + (SenseInfo is SenseInfo s ? " " + s : string.Empty) + ", " + Data.Length + " bytes, " + RequestsUsed + " request(s), " + BouncePasses + " bounce pass(es)";
    }
}

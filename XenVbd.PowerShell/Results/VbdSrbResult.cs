using System;
using XenVbd.Device;
using XenVbd.Scsi;

namespace XenVbd.PowerShell
{
    /// <summary>
    /// What Invoke-Srb returns: the engine's SRB result with the device, the command and where it went,
    /// plus the decoded sense flattened into properties a table and Where-Object can use.
    /// </summary>
    public sealed class VbdSrbResult
    {
        internal VbdSrbResult(string deviceName, byte[] cdb, long lba, long blockCount, int bufferAlignment, int dataOutLength, SrbResult result)
        {
            DeviceName = deviceName;
            Cdb = cdb;
            Command = CdbBuilder.Name(cdb);
            Lba = lba;
            BlockCount = blockCount;
            BufferAlignment = bufferAlignment;
            Result = result;
            DataOutLength = dataOutLength;
        }

        /// <summary>The device the SRB went to.</summary>
        public string DeviceName { get; }

        /// <summary>The command's name (READ(10), INQUIRY, ...).</summary>
        public string Command { get; }

        /// <summary>The CDB as sent.</summary>
        public byte[] Cdb { get; }

        /// <summary>The first logical block addressed, or -1 for commands without one.</summary>
        public long Lba { get; }

        /// <summary>The number of logical blocks addressed (0 for commands without a transfer of blocks).</summary>
        public long BlockCount { get; }

        /// <summary>The data buffer's offset from a 512-byte boundary (0 = aligned).</summary>
        public int BufferAlignment { get; }

        /// <summary>The engine's result, unchanged.</summary>
        public SrbResult Result { get; }

        /// <summary>The SRB status without its flag bits (Success, Error, BusReset, ...); the raw byte is Result.SrbStatus.</summary>
        public SrbStatus SrbStatus => Result.SrbStatus.Base();

        /// <summary>SRB_STATUS_AUTOSENSE_VALID: the port driver got sense data with the failure.</summary>
        public bool AutosenseValid => Result.SrbStatus.HasAutosense();

        /// <summary>The CDB in hex, as a person reads it ("2A 00 00 00 00 0A 00 00 03 00").</summary>
        public string CdbHex => BitConverter.ToString(Cdb).Replace('-', ' ');

        public ScsiStatus ScsiStatus => Result.ScsiStatus;

        /// <summary>True when the SRB completed with SRB_STATUS_SUCCESS and GOOD status.</summary>
        public bool Succeeded => Result.IsSuccess;

        /// <summary>The decoded sense, null when the SRB carried none.</summary>
        public SenseInfo? SenseInfo => Result.SenseInfo;

        public SenseKey? SenseKey => Result.SenseInfo?.Key;

        /// <summary>Additional sense code (ASC), null without sense.</summary>
        public byte? Asc => Result.SenseInfo?.Asc;

        /// <summary>Additional sense code qualifier (ASCQ), null without sense.</summary>
        public byte? Ascq => Result.SenseInfo?.Ascq;

        /// <summary>
        /// ASC/ASCQ in hex as SPC's tables and the Sense message write them ("21/00"), empty without sense:
        /// the list view shows this, not Asc and Ascq, which PowerShell would print in decimal (33).
        /// </summary>
        public string SenseCode => Result.SenseInfo is Scsi.SenseInfo s && !s.IsNone ? s.Asc.ToString("X2") + "/" + s.Ascq.ToString("X2") : string.Empty;

        public string SenseKeyName => Result.SenseInfo?.KeyName ?? string.Empty;

        public string AdditionalSenseName => Result.SenseInfo?.AdditionalSenseName ?? string.Empty;

        /// <summary>One-line sense: "ILLEGAL REQUEST: LOGICAL BLOCK ADDRESS OUT OF RANGE (21/00)", empty when there is none.</summary>
        public string Sense => Result.SenseInfo is Scsi.SenseInfo s && !s.IsNone ? s.ToString() : string.Empty;

        /// <summary>The raw sense bytes (fixed format).</summary>
        public byte[] SenseData => Result.Sense;

        /// <summary>Data-in (reads, INQUIRY, ...); empty for writes.</summary>
        public byte[] Data => Result.Data;

        public int DataLength => Result.Data?.Length ?? 0;

        /// <summary>Data-out bytes sent (writes, UNMAP's parameter list).</summary>
        public int DataOutLength { get; }

        /// <summary>Bytes moved either way: data-out for writes, data-in for reads.</summary>
        public int Bytes => DataOutLength > 0 ? DataOutLength : DataLength;

        /// <summary>Ring requests the SRB needed (split parts, bounce passes and retries all count).</summary>
        public int RequestsUsed => Result.RequestsUsed;

        public int BouncePasses => Result.BouncePasses;

        public long BytesBounced => Result.BytesBounced;

        /// <summary>Virtual time from submission to completion.</summary>
        public TimeSpan Latency => Result.Latency;

        /// <inheritdoc />
        public override string ToString() => DeviceName + " " + Command + " " + SrbStatus + (Sense.Length == 0 ? string.Empty : " " + Sense);
    }
}

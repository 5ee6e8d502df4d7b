using System;
using System.Management.Automation;
using System.Text;
using XenVbd.Device;
using XenVbd.PowerShell.Infrastructure;
using XenVbd.Scsi;

namespace XenVbd.PowerShell.Cmdlets
{
    /// <summary>
    /// <para type="synopsis">Sends one SCSI request block to a device and returns the SRB result.</para>
    /// <para type="description">Full help ships as MAML in XenVbd.PowerShell.dll-Help.xml.</para>
    /// </summary>
    [Cmdlet(VerbsLifecycle.Invoke, "Srb", DefaultParameterSetName = TestUnitReadySet)]
    [OutputType(typeof(VbdSrbResult))]
    public sealed class InvokeSrbCommand : VbdDeviceCommandBase
    {
        private const string ReadSet = "Read";
        private const string WriteSet = "Write";
        private const string InquirySet = "Inquiry";
        private const string ReadCapacitySet = "ReadCapacity";
        private const string TestUnitReadySet = "TestUnitReady";
        private const string RequestSenseSet = "RequestSense";
        private const string ModeSenseSet = "ModeSense";
        private const string SynchronizeCacheSet = "SynchronizeCache";
        private const string UnmapSet = "Unmap";
        private const string ReportLunsSet = "ReportLuns";
        private const string CdbSet = "Cdb";

        private byte[]? _rawCdb;

        [Parameter(Mandatory = true, ParameterSetName = ReadSet)]
        public SwitchParameter Read { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = WriteSet)]
        public SwitchParameter Write { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = ReadSet)]
        [Parameter(Mandatory = true, ParameterSetName = WriteSet)]
        [Parameter(Mandatory = true, ParameterSetName = UnmapSet)]
        [ValidateRange(0L, long.MaxValue)]
        public long Lba { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = ReadSet)]
        [Parameter(ParameterSetName = WriteSet)]
        [Parameter(Mandatory = true, ParameterSetName = UnmapSet)]
        [ValidateRange(0L, 4294967295L)]
        public long BlockCount { get; set; }

        [Parameter(ParameterSetName = WriteSet)]
        [Parameter(ParameterSetName = CdbSet)]
        [ValidateNotNull]
        public byte[]? Data { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = InquirySet)]
        public SwitchParameter Inquiry { get; set; }

        [Parameter(ParameterSetName = InquirySet)]
        public byte VpdPage { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = ReadCapacitySet)]
        public SwitchParameter ReadCapacity { get; set; }

        [Parameter(ParameterSetName = ReadCapacitySet)]
        public SwitchParameter Sixteen { get; set; }

        [Parameter(ParameterSetName = TestUnitReadySet)]
        public SwitchParameter TestUnitReady { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = RequestSenseSet)]
        public SwitchParameter RequestSense { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = ModeSenseSet)]
        public SwitchParameter ModeSense { get; set; }

        [Parameter(ParameterSetName = ModeSenseSet)]
        [ValidateRange(0, 63)]
        public byte PageCode { get; set; } = 0x3F;

        [Parameter(Mandatory = true, ParameterSetName = SynchronizeCacheSet)]
        public SwitchParameter SynchronizeCache { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = UnmapSet)]
        public SwitchParameter Unmap { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = ReportLunsSet)]
        public SwitchParameter ReportLuns { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = CdbSet)]
        [ValidateNotNull]
        public byte[]? Cdb { get; set; }

        [Parameter(ParameterSetName = CdbSet)]
        [ValidateRange(0, 16 * 1024 * 1024)]
        public int DataOutLength { get; set; }

        [Parameter(ParameterSetName = CdbSet)]
        [ValidateRange(0, 16 * 1024 * 1024)]
        public int DataInLength { get; set; }

        /// <summary>
        /// Hands the WRITE or SYNCHRONIZE CACHE to the frontend and returns at once, writing nothing: it completes as
        /// the device runs (the next command that waits). A guest that does not wait for its writes before it
        /// flushes, for a lab's power cut. The blocks are not remembered for Test-VbdIntegrity.
        /// </summary>
        [Parameter(ParameterSetName = WriteSet)]
        [Parameter(ParameterSetName = SynchronizeCacheSet)]
        public SwitchParameter NoWait { get; set; }

        /// <summary>The data buffer's offset from a 512-byte boundary: 0 is aligned, 1..511 make it misaligned on purpose.</summary>
        [Parameter]
        [ValidateRange(0, 511)]
        public int BufferAlignment { get; set; }

        /// <inheritdoc />
        protected override string FailureErrorId => ErrorIds.SrbExecutionFailed;

        /// <inheritdoc />
        protected override void BeginProcessing()
        {
            if (ParameterSetName != CdbSet)
            {
                return;
            }

            // Checked once for the whole pipeline: a bad CDB is bad for every device, and nothing is sent.
            byte[] cdb = Cdb!;
            if (cdb.Length < CdbBuilder.MinCdbLength)
            {
                ThrowTerminatingError(ErrorRecords.Create(ErrorIds.CdbTooShort, ErrorCategory.InvalidArgument, cdb,
                    "The CDB is " + cdb.Length + " byte(s) long; a SCSI CDB has at least " + CdbBuilder.MinCdbLength + ".",
                    "Give -Cdb 6, 10, 12 or 16 bytes, e.g. -Cdb 0x12,0,0,0,36,0 for INQUIRY."));
            }

            if (cdb.Length > CdbBuilder.MaxCdbLength)
            {
                ThrowTerminatingError(ErrorRecords.Create(ErrorIds.CdbTooLong, ErrorCategory.InvalidArgument, cdb,
                    "The CDB is " + cdb.Length + " bytes long; an SRB carries at most " + CdbBuilder.MaxCdbLength + ".",
                    "Give -Cdb 6, 10, 12 or 16 bytes."));
            }

            int required = CdbBuilder.RequiredLength(cdb[0]);
            if (cdb.Length < required)
            {
                ThrowTerminatingError(ErrorRecords.Create(ErrorIds.CdbTooShort, ErrorCategory.InvalidArgument, cdb,
                    "Operation code 0x" + cdb[0].ToString("X2") + " (" + CdbBuilder.Name(cdb) + ") needs a " + required + "-byte CDB; " + cdb.Length + " byte(s) were given.",
                    "Pad -Cdb to " + required + " bytes."));
            }

            if (Data is not null && MyInvocation.BoundParameters.ContainsKey(nameof(DataOutLength)) && Data.Length != DataOutLength)
            {
                ThrowTerminatingError(ErrorRecords.Create(ErrorIds.DataLengthMismatch, ErrorCategory.InvalidArgument, Data,
                    "-Data has " + Data.Length + " bytes but -DataOutLength says " + DataOutLength + ".",
                    "Leave -DataOutLength out (it defaults to the length of -Data) or make them agree."));
            }

            bool dataOut = Data is not null || DataOutLength > 0;
            if (dataOut && DataInLength > 0)
            {
                ThrowTerminatingError(ErrorRecords.Create(ErrorIds.DataLengthMismatch, ErrorCategory.InvalidArgument, cdb,
                    "An SRB moves data one way: -Data/-DataOutLength and -DataInLength cannot both be given.",
                    "Use -Data (or -DataOutLength) for a command that sends data, -DataInLength for one that returns data."));
            }

            _rawCdb = (byte[])cdb.Clone();
        }

        /// <inheritdoc />
        protected override void ProcessDevice(DeviceSession session)
        {
            VbdDevice device = session.Device;
            int blockSize = device.LogicalSectorSize;
            byte[] cdb;
            byte[]? dataOut = null;
            int dataIn = 0;
            long lba = -1;
            long blocks = 0;

            switch (ParameterSetName)
            {
                case ReadSet:
                    lba = Lba;
                    blocks = BlockCount;
                    cdb = CdbBuilder.ReadWrite(write: false, lba, blocks);
                    if (!TryLength(blocks, blockSize, session.Name, out dataIn)) return;
                    break;
                case WriteSet:
                    lba = Lba;
                    if (!TryWriteData(session.Name, blockSize, out dataOut, out blocks)) return;
                    cdb = CdbBuilder.ReadWrite(write: true, lba, blocks);
                    break;
                case InquirySet:
                    bool vpd = MyInvocation.BoundParameters.ContainsKey(nameof(VpdPage));
                    cdb = CdbBuilder.Inquiry(vpd ? VpdPage : (byte?)null, 255);
                    dataIn = 255;
                    break;
                case ReadCapacitySet:
                    cdb = CdbBuilder.ReadCapacity(Sixteen.IsPresent);
                    dataIn = Sixteen.IsPresent ? 32 : 8;
                    break;
                case RequestSenseSet:
                    cdb = CdbBuilder.RequestSense(SenseBufferLength);
                    dataIn = SenseBufferLength;
                    break;
                case ModeSenseSet:
                    cdb = CdbBuilder.ModeSense(PageCode, 255);
                    dataIn = 255;
                    break;
                case SynchronizeCacheSet:
                    cdb = CdbBuilder.SynchronizeCache();
                    break;
                case UnmapSet:
                    lba = Lba;
                    blocks = BlockCount;
                    (cdb, dataOut) = CdbBuilder.Unmap(lba, blocks);
                    break;
                case ReportLunsSet:
                    cdb = CdbBuilder.ReportLuns(256);
                    dataIn = 256;
                    break;
                case CdbSet:
                    cdb = _rawCdb!;
                    dataOut = Data ?? (DataOutLength > 0 ? new byte[DataOutLength] : null);
                    dataIn = DataInLength;
                    lba = CdbBuilder.Lba(cdb);
                    if (lba >= 0)
                    {
                        // What the CDB asks for, not the size of the buffer that came with it: a one-block WRITE
                        // with a 4 KiB buffer moves one block (and Test-VbdIntegrity must remember only that one).
                        ScsiCommand decoded = CdbDecoder.Decode(cdb);
                        blocks = decoded.IsValid && (decoded.Kind == CdbKind.Read || decoded.Kind == CdbKind.Write)
                            ? decoded.BlockCount
                            : (dataOut?.Length ?? dataIn) / blockSize;
                    }

                    break;
                default:
                    cdb = CdbBuilder.TestUnitReady();
                    break;
            }

            int bytes = dataOut?.Length ?? dataIn;
            if (bytes + BufferAlignment > device.ExecuteBufferBytes)
            {
                this.WriteError(ErrorIds.DataLengthMismatch, ErrorCategory.InvalidArgument, bytes,
                    "A transfer of " + bytes + " bytes" + (BufferAlignment > 0 ? " at alignment " + BufferAlignment : "") + " is more than the " + (device.ExecuteBufferBytes - BufferAlignment)
                    + " bytes Invoke-Srb's guest buffer on '" + session.Name + "' holds.",
                    "Split it into Invoke-Srb calls of at most " + ((device.ExecuteBufferBytes - BufferAlignment) / blockSize) + " blocks, or create the device with a larger -GuestBufferBytes (the buffer is half of it).");
                return;
            }

            if (NoWait.IsPresent)
            {
                device.SubmitWithoutWaiting(cdb, dataOut);
                WriteVerbose("Submitted " + CdbBuilder.Name(cdb) + " to '" + session.Name + "' without waiting for it to complete.");
                return;
            }

            SrbResult raw = device.Execute(cdb, dataOut, dataIn, BufferAlignment);
            var result = new VbdSrbResult(session.Name, cdb, lba, blocks, BufferAlignment, dataOut?.Length ?? 0, raw);
            Remember(session, cdb, dataOut, lba, blocks, blockSize, result);
            WriteObject(result);

            if (!result.Succeeded)
            {
                WriteError(SrbFailure(result, device, blockSize, dataOut?.Length ?? dataIn));
            }
        }

        private const int SenseBufferLength = 18;

        /// <summary>The block descriptors of an UNMAP parameter list (SBC-3 5.28.2): LBA u64 and count u32, big-endian.</summary>
        private static void ForgetUnmapped(DeviceSession session, byte[] list)
        {
            if (list.Length < UnmapParameterList.HeaderLength)
            {
                return;
            }

            int descriptorBytes = (list[2] << 8) | list[3];
            int end = Math.Min(list.Length, UnmapParameterList.HeaderLength + descriptorBytes);
            for (int at = UnmapParameterList.HeaderLength; at + UnmapParameterList.DescriptorLength <= end; at += UnmapParameterList.DescriptorLength)
            {
                ulong lba = System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(list.AsSpan(at, 8));
                uint count = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(list.AsSpan(at + 8, 4));
                if (lba <= long.MaxValue)
                {
                    session.Forget((long)lba, count);
                }
            }
        }

        private bool TryLength(long blocks, int blockSize, string device, out int length)
        {
            long bytes = blocks * blockSize;
            if (bytes > int.MaxValue)
            {
                this.WriteError(ErrorIds.DataLengthMismatch, ErrorCategory.InvalidArgument, blocks,
                    blocks + " blocks of " + blockSize + " bytes (" + bytes + " bytes) is more than one SRB can carry on '" + device + "'.",
                    "Split the transfer into several Invoke-Srb calls of at most " + (int.MaxValue / blockSize) + " blocks.");
                length = 0;
                return false;
            }

            length = (int)bytes;
            return true;
        }

        private bool TryWriteData(string device, int blockSize, out byte[]? data, out long blocks)
        {
            bool countGiven = MyInvocation.BoundParameters.ContainsKey(nameof(BlockCount));
            data = null;
            blocks = 0;
            if (Data is null)
            {
                if (!countGiven)
                {
                    this.WriteError(ErrorIds.BlockCountMissing, ErrorCategory.InvalidArgument, null,
                        "-Write needs -BlockCount, -Data, or both.",
                        "Add -BlockCount n to write a recognisable test pattern, or -Data <byte[]> to write your own bytes.");
                    return false;
                }

                if (!TryLength(BlockCount, blockSize, device, out int length)) return false;
                blocks = BlockCount;
                data = Pattern(Lba, blocks, blockSize, length);
                return true;
            }

            if (!countGiven)
            {
                if (Data.Length == 0 || Data.Length % blockSize != 0)
                {
                    this.WriteError(ErrorIds.DataLengthMismatch, ErrorCategory.InvalidArgument, Data.Length,
                        "-Data has " + Data.Length + " bytes, which is not a whole number of " + blockSize + "-byte blocks on '" + device + "'.",
                        "Give -Data a multiple of " + blockSize + " bytes, or add -BlockCount to pad it with zeros.");
                    return false;
                }

                blocks = Data.Length / blockSize;
                data = Data;
                return true;
            }

            if (!TryLength(BlockCount, blockSize, device, out int needed)) return false;
            if (Data.Length > needed)
            {
                this.WriteError(ErrorIds.DataLengthMismatch, ErrorCategory.InvalidArgument, Data.Length,
                    "-Data has " + Data.Length + " bytes, more than -BlockCount " + BlockCount + " blocks of " + blockSize + " bytes (" + needed + ").",
                    "Raise -BlockCount to " + ((Data.Length + blockSize - 1) / blockSize) + " or leave it out.");
                return false;
            }

            blocks = BlockCount;
            data = new byte[needed];
            Buffer.BlockCopy(Data, 0, data, 0, Data.Length);
            return true;
        }

        /// <summary>The test pattern -Write writes without -Data: every block says which LBA it belongs to.</summary>
        internal static byte[] Pattern(long lba, long blocks, int blockSize, int length)
        {
            var data = new byte[length];
            for (long b = 0; b < blocks; b++)
            {
                byte[] text = Encoding.ASCII.GetBytes("XenVbd LBA " + (lba + b) + " | ");
                int start = (int)(b * blockSize);
                for (int i = 0; i < blockSize; i++)
                {
                    data[start + i] = text[i % text.Length];
                }
            }

            return data;
        }

        private static void Remember(DeviceSession session, byte[] cdb, byte[]? dataOut, long lba, long blocks, int blockSize, VbdSrbResult result)
        {
            if (result.Succeeded && lba < 0 && dataOut is not null && CdbDecoder.Decode(cdb).Kind == CdbKind.Unmap)
            {
                // A raw UNMAP carries its ranges in the parameter list: forget every one of them.
                ForgetUnmapped(session, dataOut);
                return;
            }

            if (!result.Succeeded || lba < 0)
            {
                return;
            }

            switch (CdbDecoder.Decode(cdb).Kind)
            {
                case CdbKind.Write:
                    if (dataOut is not null)
                    {
                        long bytes = Math.Min(dataOut.Length, blocks * blockSize);
                        byte[] written = dataOut;
                        if (bytes < dataOut.Length)
                        {
                            written = new byte[bytes];
                            Array.Copy(dataOut, written, bytes);
                        }

                        session.RecordWrite(lba, written, blockSize);
                    }

                    break;
                case CdbKind.Unmap:
                    session.Forget(lba, blocks);
                    break;
            }
        }

        private static ErrorRecord SrbFailure(VbdSrbResult result, VbdDevice device, int blockSize, int bufferBytes)
        {
            ScsiCommand decoded = CdbDecoder.Decode(result.Cdb);
            long transfer = decoded.IsValid && (decoded.Kind == CdbKind.Read || decoded.Kind == CdbKind.Write) ? (long)decoded.BlockCount * blockSize : -1;
            if (result.SrbStatus.Base() == SrbStatus.InvalidRequest && result.Sense.Length == 0 && transfer > bufferBytes)
            {
                // scsiport's answer to a buffer shorter than the CDB's transfer: say which numbers disagree.
                return ErrorRecords.Create(ErrorIds.DataLengthMismatch, ErrorCategory.InvalidArgument, result,
                    result.Command + " on '" + result.DeviceName + "' was refused by the frontend (SRB status InvalidRequest): the CDB transfers "
                    + decoded.BlockCount + " blocks (" + transfer + " bytes) but the data buffer has " + bufferBytes + " bytes. The SRB result is in the output.",
                    "Give -DataInLength (or -Data / -DataOutLength) " + transfer + " for this CDB, or lower the CDB's transfer length.");
            }

            string where = result.Lba >= 0 ? " at LBA " + result.Lba : string.Empty;
            string what = result.Sense.Length > 0
                ? result.ScsiStatus.ToString() + ", " + result.Sense
                : "SRB status " + result.SrbStatus.Base() + ", SCSI status " + result.ScsiStatus;
            string message = result.Command + where + " on '" + result.DeviceName + "' failed: " + what + ". The SRB result is in the output.";
            string action;
            ErrorCategory category;
            switch (result.SenseKey)
            {
                case Scsi.SenseKey.IllegalRequest when result.Asc == 0x21:
                    long capacity = device.SizeBytes / blockSize;
                    category = ErrorCategory.InvalidArgument;
                    action = "The disk has " + capacity + " blocks (LBA 0.." + (capacity - 1) + "); keep Lba + BlockCount within that. Invoke-Srb -ReadCapacity shows it.";
                    break;
                case Scsi.SenseKey.IllegalRequest:
                    category = ErrorCategory.InvalidArgument;
                    action = "The device rejected a field of the command; see the result's Sense and SenseData.";
                    break;
                case Scsi.SenseKey.DataProtect:
                    category = ErrorCategory.PermissionDenied;
                    action = "The device is read-only. Create it without -ReadOnly to write to it.";
                    break;
                case Scsi.SenseKey.MediumError:
                    category = CdbDecoder.Decode(result.Cdb).Kind == CdbKind.Read ? ErrorCategory.ReadError : ErrorCategory.WriteError;
                    action = "The medium reported a bad block (a fault rule may be injecting it: Get-VbdFault).";
                    break;
                case Scsi.SenseKey.NotReady:
                    category = ErrorCategory.ResourceUnavailable;
                    action = "The device is not ready (probing, resetting or broken). Check Get-VbdDevice; Reset-VbdDevice recovers a broken device.";
                    break;
                case Scsi.SenseKey.HardwareError:
                    category = ErrorCategory.DeviceError;
                    message += device.FailureReason is string reason ? " The frontend is " + device.State + ": " + reason + "." : string.Empty;
                    action = device.Personality == Frontend.FrontendPersonality.Hardened
                        ? "Reset-VbdDevice " + result.DeviceName + " reconnects the frontend through XenBus and brings the device back."
                        : "The " + device.Personality + " driver has no way back from this but a reconnect: Set-BackendAbi " + result.DeviceName + " reconnects it.";
                    break;
                case Scsi.SenseKey.AbortedCommand:
                    category = ErrorCategory.OperationStopped;
                    action = "The command was aborted; retry it.";
                    break;
                default:
                    SrbStatus status = result.SrbStatus.Base();
                    category = status == SrbStatus.Timeout || status == SrbStatus.CommandTimeout ? ErrorCategory.OperationTimeout : ErrorCategory.DeviceError;
                    action = "Inspect the SRB result; Get-VbdStatistic and Get-VbdRing show the device's state." + (device.Warning is string warning ? " " + warning + "." : string.Empty);
                    break;
            }

            return ErrorRecords.Create(ErrorIds.SrbFailed, category, result, message, action);
        }
    }
}

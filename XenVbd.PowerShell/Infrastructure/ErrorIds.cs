namespace XenVbd.PowerShell.Infrastructure
{
    /// <summary>Stable error ids the cmdlets themselves raise (engine exceptions bring their own ErrorId).</summary>
    public static class ErrorIds
    {
        public const string UnknownAbi = "UnknownBlkifAbi";

        // Devices
        public const string DeviceNotFound = "DeviceNotFound";
        public const string DeviceNotSpecified = "DeviceNotSpecified";
        public const string DeviceRemoved = "DeviceRemoved";
        public const string DuplicateDeviceName = "DuplicateDeviceName";
        public const string InvalidDeviceName = "InvalidDeviceName";
        public const string SizeNotMultipleOfSector = "SizeNotMultipleOfSector";
        public const string InvalidDeviceOptions = "InvalidDeviceOptions";
        public const string ImageNotFound = "ImageNotFound";
        public const string ImageNotADisk = "ImageNotADisk";
        public const string ImageLocked = "ImageLocked";
        public const string DeviceCreateFailed = "DeviceCreateFailed";
        public const string DeviceRemoveFailed = "DeviceRemoveFailed";
        public const string ImageSizeMismatch = "ImageSizeMismatch";
        public const string DeviceInUseOnAnotherThread = "DeviceInUseOnAnotherThread";
        public const string DeviceOwnedByAnotherSession = "DeviceOwnedByAnotherSession";

        // Paths and pipeline input
        public const string NotAFileSystemPath = "NotAFileSystemPath";
        public const string PathNotUnique = "PathNotUnique";
        public const string TraceFileAlreadyWritten = "TraceFileAlreadyWritten";
        public const string InvalidPipelineValue = "InvalidPipelineValue";
        public const string InvalidNamePattern = "InvalidNamePattern";

        // Invoke-Srb
        public const string CdbTooShort = "CdbTooShort";
        public const string CdbTooLong = "CdbTooLong";
        public const string DataLengthMismatch = "DataLengthMismatch";
        public const string BlockCountMissing = "BlockCountMissing";
        public const string SrbFailed = "SrbFailed";
        public const string SrbExecutionFailed = "SrbExecutionFailed";

        // Other device operations
        public const string MigrationFailed = "MigrationFailed";
        public const string ResetFailed = "ResetFailed";
        public const string PersonalityFixesOption = "PersonalityFixesOption";
        public const string PersonalityNotFound = "PersonalityNotFound";
        public const string TraceExportFailed = "TraceExportFailed";
        public const string TraceUnavailable = "TraceUnavailable";
        public const string IntegrityCheckFailed = "IntegrityCheckFailed";
        public const string DeviceQueryFailed = "DeviceQueryFailed";
        public const string RingNotConnected = "RingNotConnected";

        // Faults, workloads, labs
        public const string InvalidFaultRule = "InvalidFaultRule";
        public const string FaultNotFound = "FaultNotFound";
        public const string PowerCutNeedsWriteCache = "PowerCutNeedsWriteCache";
        public const string InvalidWorkload = "InvalidWorkload";
        public const string WorkloadFailed = "WorkloadFailed";
        public const string LabNotFound = "LabNotFound";
        public const string LabReportFailed = "LabReportFailed";
        public const string LabPathNotFound = "LabPathNotFound";
        public const string WorkloadActionFailed = "WorkloadActionFailed";
        public const string PersonalityConflictsWithDevice = "PersonalityConflictsWithDevice";
        public const string AlreadyConnected = "AlreadyConnected";
        public const string ConnectFailed = "ConnectFailed";

        // A device whose backend is QEMU (the engine's own ids: QemuNotInstalled, XenStandinPrerequisiteMissing, BackendNotModelled, BackendTimeout, BackendProcessExited)
        public const string QemuBackendFixesOption = "QemuBackendFixesOption";
        public const string QemuOptionWithoutQemu = "QemuOptionWithoutQemu";
    }
}

namespace XenVbd.Scsi
{
    /// <summary>
    /// Additional sense codes (ASC, ASCQ) from SPC-4 Annex D that this disk reports or a trace is likely
    /// to show. Each constant packs ASC in the high byte and ASCQ in the low byte so a pair is one value.
    /// </summary>
    public static class AdditionalSense
    {
        public const ushort NoAdditionalSense = 0x0000;
        public const ushort LogicalUnitNotReadyCauseNotReportable = 0x0400;
        public const ushort LogicalUnitNotReadyBecomingReady = 0x0401;
        public const ushort LogicalUnitNotReadyInitializingCommandRequired = 0x0402;
        public const ushort LogicalUnitNotReadyManualInterventionRequired = 0x0403;
        public const ushort LogicalUnitNotReadyFormatInProgress = 0x0404;
        public const ushort WriteError = 0x0C00;
        public const ushort UnrecoveredReadError = 0x1100;
        public const ushort ParameterListLengthError = 0x1A00;
        public const ushort InvalidCommandOperationCode = 0x2000;
        public const ushort LogicalBlockAddressOutOfRange = 0x2100;
        public const ushort InvalidFieldInCdb = 0x2400;
        public const ushort LogicalUnitNotSupported = 0x2500;
        public const ushort InvalidFieldInParameterList = 0x2600;
        public const ushort WriteProtected = 0x2700;
        public const ushort PowerOnResetOrBusDeviceResetOccurred = 0x2900;
        public const ushort PowerOnOccurred = 0x2901;
        public const ushort ScsiBusResetOccurred = 0x2902;
        public const ushort BusDeviceResetFunctionOccurred = 0x2903;
        public const ushort CommandsClearedByAnotherInitiator = 0x2F00;
        public const ushort CapacityDataHasChanged = 0x2A09;
        public const ushort SavingParametersNotSupported = 0x3900;
        public const ushort MediumNotPresent = 0x3A00;
        public const ushort InternalTargetFailure = 0x4400;

        public static ushort Code(byte asc, byte ascq) => (ushort)((asc << 8) | ascq);

        public static byte Asc(ushort code) => (byte)(code >> 8);

        public static byte Ascq(ushort code) => (byte)code;

        /// <summary>
        /// The SPC-4 name of an (ASC, ASCQ) pair. Unknown pairs get a hex label rather than null so the
        /// PowerShell view always has something to show; this allocates and is not for the I/O path.
        /// </summary>
        public static string Name(byte asc, byte ascq)
        {
            switch (Code(asc, ascq))
            {
                case NoAdditionalSense: return "NO ADDITIONAL SENSE INFORMATION";
                case LogicalUnitNotReadyCauseNotReportable: return "LOGICAL UNIT NOT READY, CAUSE NOT REPORTABLE";
                case LogicalUnitNotReadyBecomingReady: return "LOGICAL UNIT IS IN PROCESS OF BECOMING READY";
                case LogicalUnitNotReadyInitializingCommandRequired: return "LOGICAL UNIT NOT READY, INITIALIZING COMMAND REQUIRED";
                case LogicalUnitNotReadyManualInterventionRequired: return "LOGICAL UNIT NOT READY, MANUAL INTERVENTION REQUIRED";
                case LogicalUnitNotReadyFormatInProgress: return "LOGICAL UNIT NOT READY, FORMAT IN PROGRESS";
                case WriteError: return "WRITE ERROR";
                case UnrecoveredReadError: return "UNRECOVERED READ ERROR";
                case ParameterListLengthError: return "PARAMETER LIST LENGTH ERROR";
                case InvalidCommandOperationCode: return "INVALID COMMAND OPERATION CODE";
                case LogicalBlockAddressOutOfRange: return "LOGICAL BLOCK ADDRESS OUT OF RANGE";
                case InvalidFieldInCdb: return "INVALID FIELD IN CDB";
                case LogicalUnitNotSupported: return "LOGICAL UNIT NOT SUPPORTED";
                case InvalidFieldInParameterList: return "INVALID FIELD IN PARAMETER LIST";
                case WriteProtected: return "WRITE PROTECTED";
                case PowerOnResetOrBusDeviceResetOccurred: return "POWER ON, RESET, OR BUS DEVICE RESET OCCURRED";
                case PowerOnOccurred: return "POWER ON OCCURRED";
                case ScsiBusResetOccurred: return "SCSI BUS RESET OCCURRED";
                case BusDeviceResetFunctionOccurred: return "BUS DEVICE RESET FUNCTION OCCURRED";
                case CommandsClearedByAnotherInitiator: return "COMMANDS CLEARED BY ANOTHER INITIATOR";
                case CapacityDataHasChanged: return "CAPACITY DATA HAS CHANGED";
                case SavingParametersNotSupported: return "SAVING PARAMETERS NOT SUPPORTED";
                case MediumNotPresent: return "MEDIUM NOT PRESENT";
                case InternalTargetFailure: return "INTERNAL TARGET FAILURE";
            }

            // SPC-4 reserves 04/xx for "not ready" variants; name the family even for ASCQs not listed.
            if (asc == 0x04)
            {
                return "LOGICAL UNIT NOT READY (ASCQ " + ascq.ToString("X2") + "h)";
            }

            return "ASC " + asc.ToString("X2") + "h ASCQ " + ascq.ToString("X2") + "h";
        }
    }
}

using System;

namespace XenVbd.Scsi
{
    /// <summary>
    /// One sense condition: what a failed command reports and what <see cref="SenseData"/> writes or reads.
    /// The same value serves as the error of a decoded CDB or a builder, so turning an error into autosense
    /// is one call to <see cref="SenseData.Write(Span{byte}, in SenseInfo)"/>. The sense-key-specific
    /// fields use the field-pointer layout (SPC-4 4.5.2.4.2), the only one this disk produces.
    /// </summary>
    public readonly record struct SenseInfo
    {
        public SenseInfo(SenseKey key, byte asc, byte ascq)
        {
            Key = key;
            Asc = asc;
            Ascq = ascq;
            InformationValid = false;
            Information = 0;
            SenseKeySpecificValid = false;
            CommandData = false;
            BitPointerValid = false;
            BitPointer = 0;
            FieldPointer = 0;
        }

        /// <summary>No condition at all: what a successful decode or build carries.</summary>
        public static SenseInfo None => default;

        public SenseKey Key { get; init; }

        public byte Asc { get; init; }

        public byte Ascq { get; init; }

        /// <summary>VALID bit: <see cref="Information"/> holds a meaningful value (e.g. the failing LBA).</summary>
        public bool InformationValid { get; init; }

        public uint Information { get; init; }

        /// <summary>SKSV: bytes 15..17 hold a field pointer.</summary>
        public bool SenseKeySpecificValid { get; init; }

        /// <summary>C/D: the field pointer indexes the CDB (true) or the parameter list (false).</summary>
        public bool CommandData { get; init; }

        public bool BitPointerValid { get; init; }

        /// <summary>The leftmost bit (7..0) of the bad field inside the pointed byte.</summary>
        public byte BitPointer { get; init; }

        /// <summary>The first byte of the bad field.</summary>
        public ushort FieldPointer { get; init; }

        public bool IsNone => Key == SenseKey.NoSense && Asc == 0 && Ascq == 0;

        public ushort AdditionalSenseCode => AdditionalSense.Code(Asc, Ascq);

        public string KeyName => SenseKeyNames.Name(Key);

        public string AdditionalSenseName => AdditionalSense.Name(Asc, Ascq);

        public static SenseInfo Of(SenseKey key, ushort additionalSense)
            => new SenseInfo(key, AdditionalSense.Asc(additionalSense), AdditionalSense.Ascq(additionalSense));

        /// <summary>ILLEGAL REQUEST / INVALID COMMAND OPERATION CODE, pointing at CDB byte 0 as SPC-4 asks.</summary>
        public static SenseInfo InvalidOpcode()
            => InCdb(AdditionalSense.InvalidCommandOperationCode, 0, -1);

        /// <summary>ILLEGAL REQUEST / INVALID FIELD IN CDB; <paramref name="bit"/> −1 means the whole byte.</summary>
        public static SenseInfo InvalidFieldInCdb(int byteIndex, int bit = -1)
            => InCdb(AdditionalSense.InvalidFieldInCdb, byteIndex, bit);

        /// <summary>ILLEGAL REQUEST / INVALID FIELD IN PARAMETER LIST, pointing into the data-out buffer.</summary>
        public static SenseInfo InvalidFieldInParameterList(int byteIndex, int bit = -1)
            => WithPointer(Of(SenseKey.IllegalRequest, AdditionalSense.InvalidFieldInParameterList), false, byteIndex, bit);

        public static SenseInfo ParameterListLengthError()
            => Of(SenseKey.IllegalRequest, AdditionalSense.ParameterListLengthError);

        public static SenseInfo LbaOutOfRange()
            => Of(SenseKey.IllegalRequest, AdditionalSense.LogicalBlockAddressOutOfRange);

        public static SenseInfo WriteProtected()
            => Of(SenseKey.DataProtect, AdditionalSense.WriteProtected);

        public static SenseInfo SavingParametersNotSupported(int byteIndex, int bit)
            => InCdb(AdditionalSense.SavingParametersNotSupported, byteIndex, bit);

        private static SenseInfo InCdb(ushort additionalSense, int byteIndex, int bit)
            => WithPointer(Of(SenseKey.IllegalRequest, additionalSense), true, byteIndex, bit);

        private static SenseInfo WithPointer(SenseInfo sense, bool inCdb, int byteIndex, int bit) => sense with
        {
            SenseKeySpecificValid = true,
            CommandData = inCdb,
            FieldPointer = (ushort)byteIndex,
            BitPointerValid = bit >= 0,
            BitPointer = bit >= 0 ? (byte)bit : (byte)0,
        };

        public override string ToString()
            => IsNone ? "NO SENSE" : KeyName + ": " + AdditionalSenseName
                + " (" + Asc.ToString("X2") + "/" + Ascq.ToString("X2") + ")";
    }
}

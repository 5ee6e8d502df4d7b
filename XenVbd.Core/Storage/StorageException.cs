using System;
using System.IO;

namespace XenVbd.Storage
{
    /// <summary>
    /// A storage failure with a machine-readable <see cref="Error"/>. It is an <see cref="IOException"/>
    /// so generic callers that already handle I/O failures keep working.
    /// </summary>
    public sealed class StorageException : IOException, IEngineError
    {
        public StorageException(StorageError error, string message, long? byteOffset = null, Exception? innerException = null, string? recommendedAction = null)
            : base(message, innerException)
        {
            Error = error;
            ByteOffset = byteOffset;
            RecommendedAction = recommendedAction;
        }

        public StorageError Error { get; }

        /// <summary>The error's name, e.g. <c>ImageLocked</c>, for use as an ErrorRecord id.</summary>
        public string ErrorId => Error.ToString();

        /// <summary>The kind of failure <see cref="Error"/> is, for the ErrorRecord's category.</summary>
        public EngineErrorCategory Category => Error switch
        {
            StorageError.NotADiskImage => EngineErrorCategory.InvalidData,
            StorageError.ImageLocked => EngineErrorCategory.ResourceBusy,
            StorageError.ReadOnly => EngineErrorCategory.PermissionDenied,
            StorageError.OutOfRange => EngineErrorCategory.InvalidArgument,
            StorageError.Misaligned => EngineErrorCategory.InvalidArgument,
            StorageError.MediumError => EngineErrorCategory.ReadError,
            _ => EngineErrorCategory.ResourceUnavailable,
        };

        /// <summary>
        /// Where the failure lies, when it has a place: the first bad byte of a medium error lets the SCSI
        /// layer fill the sense data's information field with the failing LBA.
        /// </summary>
        public long? ByteOffset { get; }

        /// <summary>What the user can do about it, when there is something to say (the PowerShell layer shows it as the error's recommended action).</summary>
        public string? RecommendedAction { get; }
    }
}

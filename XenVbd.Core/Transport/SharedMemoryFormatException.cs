using System;

namespace XenVbd.Transport
{
    /// <summary>A shared-memory file whose header does not describe a usable file; <see cref="Field"/> names the culprit.</summary>
    public sealed class SharedMemoryFormatException : FormatException
    {
        public SharedMemoryFormatException(string path, string field, string message)
            : base("Shared-memory file '" + path + "': field '" + field + "': " + message)
        {
            Path = path;
            Field = field;
        }

        public string Path { get; }

        /// <summary>The header field that is wrong: magic, version, header_size, page_size, file_size, abi, ...</summary>
        public string Field { get; }
    }
}

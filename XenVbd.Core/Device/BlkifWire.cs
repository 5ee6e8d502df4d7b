using System.Collections.Generic;
using XenVbd.Ring;

namespace XenVbd.Device
{
    /// <summary>
    /// What the user's surface shows of the blkif wire format (Get-BlkifLayout, the ring drawing): the
    /// facts are <see cref="BlkifLayout"/>'s, read through here so the module names no Ring internals.
    /// </summary>
    public static class BlkifWire
    {
        /// <summary>Every field of the request and response structures of <paramref name="abi"/>, with offset and size.</summary>
        public static IReadOnlyList<BlkifFieldInfo> Describe(BlkifAbi abi) => BlkifLayout.Describe(abi);

        /// <summary>Bytes one ring entry takes under <paramref name="abi"/> (a request's size: a union slot holds either, and the request is the larger).</summary>
        public static int EntryBytes(BlkifAbi abi) => BlkifLayout.EntryStride(abi);

        /// <summary>Parses the XenStore <c>protocol</c> value (x86_32-abi, x86_64-abi).</summary>
        public static bool TryParseProtocol(string? value, out BlkifAbi abi) => BlkifAbiNames.TryParseProtocol(value, out abi);
    }
}

using System;
using System.Collections.Generic;
using System.Management.Automation;
using XenVbd.Device;
using XenVbd.PowerShell.Infrastructure;
using XenVbd.Ring;

namespace XenVbd.PowerShell.Cmdlets
{
    /// <summary>
    /// <para type="synopsis">Gets the blkif wire layout (structure, field, offset, size) the engine uses.</para>
    /// <para type="description">Full help ships as MAML in XenVbd.PowerShell.dll-Help.xml.</para>
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "BlkifLayout")]
    [OutputType(typeof(BlkifFieldInfo))]
    public sealed class GetBlkifLayoutCommand : PSCmdlet
    {
        private static readonly BlkifAbi[] AllAbis = { BlkifAbi.X86_32, BlkifAbi.X86_64 };

        /// <summary>The ABI(s) to describe; both when omitted.</summary>
        [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [BlkifAbiTransformation]
        public BlkifAbi[]? Abi { get; set; }

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            IEnumerable<BlkifAbi> abis = Abi is null || Abi.Length == 0 ? AllAbis : Abi;
            foreach (BlkifAbi abi in abis)
            {
                if (!Enum.IsDefined(typeof(BlkifAbi), abi))
                {
                    this.WriteError(
                        ErrorIds.UnknownAbi,
                        ErrorCategory.InvalidArgument,
                        abi,
                        "'" + abi + "' is not a blkif ABI.",
                        "Use X86_32 or X86_64 (the protocol strings x86_32-abi and x86_64-abi also work).");
                    continue;
                }

                IReadOnlyList<BlkifFieldInfo> fields;
                try
                {
                    fields = BlkifWire.Describe(abi);
                }
                catch (Exception ex) when (ex is not PipelineStoppedException)
                {
                    this.WriteError(ex, abi, ErrorIds.UnknownAbi);
                    continue;
                }

                foreach (BlkifFieldInfo field in fields)
                {
                    WriteObject(field);
                }
            }
        }
    }
}

using System.Collections.Generic;
using System.Management.Automation;
using XenVbd.Device;
using XenVbd.PowerShell.Infrastructure;
using XenVbd.Scsi;

namespace XenVbd.PowerShell.Cmdlets
{
    /// <summary>
    /// <para type="synopsis">Reads back every block this session wrote to a device and tells whether it still holds what was written.</para>
    /// <para type="description">Full help ships as MAML in XenVbd.PowerShell.dll-Help.xml.</para>
    /// </summary>
    [Cmdlet(VerbsDiagnostic.Test, "VbdIntegrity")]
    [OutputType(typeof(bool))]
    [OutputType(typeof(VbdIntegrityResult))]
    public sealed class TestVbdIntegrityCommand : VbdDeviceCommandBase
    {
        /// <summary>Returns a <see cref="VbdIntegrityResult"/> (outcome, blocks checked, bad blocks) instead of a Boolean.</summary>
        [Parameter]
        public SwitchParameter Detailed { get; set; }

        private const int MaxBlocksPerRead = 128;

        /// <inheritdoc />
        protected override string FailureErrorId => ErrorIds.IntegrityCheckFailed;

        /// <inheritdoc />
        protected override bool AllDevicesByDefault => true;

        /// <inheritdoc />
        protected override void ProcessDevice(DeviceSession session)
        {
            VbdDevice device = session.Device;
            int blockSize = device.LogicalSectorSize;
            IReadOnlyList<KeyValuePair<long, ulong>> blocks = session.WrittenBlocks();
            var progress = new ProgressRecord(1, "Test-VbdIntegrity " + session.Name, "Reading back " + blocks.Count + " written blocks");
            int bad = 0;
            int checkedBlocks = 0;
            int i = 0;
            while (i < blocks.Count)
            {
                if (Stopping)
                {
                    return;
                }

                // One READ per run of consecutive LBAs (at most MaxBlocksPerRead blocks).
                int runStart = i;
                while (i + 1 < blocks.Count && i + 1 - runStart < MaxBlocksPerRead && blocks[i + 1].Key == blocks[i].Key + 1)
                {
                    i++;
                }

                i++;
                long lba = blocks[runStart].Key;
                int count = i - runStart;
                SrbResult read = device.Execute(CdbBuilder.ReadWrite(write: false, lba, count), null, count * blockSize, 0);
                bool ok = read.IsSuccess && read.Data.Length >= count * blockSize;
                // A QEMU device: the image file QEMU serves must hold the same bytes, read past both the frontend and QEMU.
                byte[]? image = null;
                if (device.BackendKind == VbdBackendKind.Qemu)
                {
                    image = new byte[count * blockSize];
                    device.ReadDisk(lba * blockSize, image);
                }

                for (int b = 0; b < count; b++)
                {
                    ulong expected = blocks[runStart + b].Value;
                    if (!ok || DeviceSession.Fnv1a(read.Data, b * blockSize, blockSize) != expected)
                    {
                        bad++;
                        WriteVerbose(session.Name + ": LBA " + (lba + b) + (ok ? " does not hold what this session wrote." : " could not be read back: " + read + "."));
                    }
                    else if (image is not null && DeviceSession.Fnv1a(image, b * blockSize, blockSize) != expected)
                    {
                        bad++;
                        WriteVerbose(session.Name + ": LBA " + (lba + b) + " reads back right through QEMU, but the image file it serves holds something else.");
                    }
                }

                checkedBlocks += count;
                if (blocks.Count >= 256)
                {
                    progress.PercentComplete = (int)(100L * checkedBlocks / blocks.Count);
                    progress.StatusDescription = checkedBlocks + " of " + blocks.Count + " blocks read back, " + bad + " bad";
                    WriteProgress(progress);
                }
            }

            if (blocks.Count >= 256)
            {
                progress.RecordType = ProgressRecordType.Completed;
                WriteProgress(progress);
            }

            WriteVerbose(session.Name + ": " + checkedBlocks + " block(s) read back, " + bad + " bad.");
            var result = new VbdIntegrityResult(session.Name, checkedBlocks, bad);
            if (result.Outcome == VbdIntegrityOutcome.NothingChecked)
            {
                // True here would claim a verification that did not happen.
                WriteWarning("Nothing to check on '" + session.Name + "': this session has no written blocks there (a re-opened image, a fresh device, or a workload overwrote them), so nothing was verified and no Boolean is returned. Write with Invoke-Srb first, or use Invoke-VbdWorkload, which verifies every read.");
                if (Detailed)
                {
                    WriteObject(result);
                }

                return;
            }

            WriteObject(Detailed ? result : (object)result.Passed);
        }
    }
}

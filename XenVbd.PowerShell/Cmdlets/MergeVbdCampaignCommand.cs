using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using XenVbd.Campaign;
using XenVbd.PowerShell.Infrastructure;

namespace XenVbd.PowerShell.Cmdlets
{
    /// <summary>
    /// <para type="synopsis">Joins the results of a campaign's shards into the files one machine would have written, byte for byte.</para>
    /// <para type="description">Full help ships as MAML in XenVbd.PowerShell.dll-Help.xml.</para>
    /// </summary>
    [Cmdlet(VerbsData.Merge, "VbdCampaign", SupportsShouldProcess = true)]
    [OutputType(typeof(CampaignReport))]
    public sealed class MergeVbdCampaignCommand : PSCmdlet
    {
        private readonly List<CampaignReport> _shards = new List<CampaignReport>();

        /// <summary>The shards' results.jsonl files, or folders holding one.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("FullName")]
        [ValidateNotNullOrEmpty]
        public string[]? Path { get; set; }

        /// <summary>Where the merged results.jsonl, junit.xml and campaign.html go.</summary>
        [Parameter(Mandatory = true, Position = 1)]
        [ValidateNotNullOrEmpty]
        public string? OutputDirectory { get; set; }

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            foreach (var p in Path!)
            {
                foreach (var resolved in Resolve(p))
                {
                    string file = Directory.Exists(resolved) ? System.IO.Path.Combine(resolved, CampaignReport.ResultsFileName) : resolved;
                    if (!File.Exists(file))
                    {
                        this.WriteError(CampaignErrorIds.CampaignFileNotFound, ErrorCategory.ObjectNotFound, p, "There is no campaign results file '" + file + "'.", "Give each shard's results.jsonl or the folder Invoke-VbdCampaign -OutputDirectory wrote it to.");
                        continue;
                    }
                    try
                    {
                        _shards.Add(CampaignReport.ReadJsonLines(File.ReadAllText(file), CampaignAxisSet.Default, file));
                    }
                    catch (FormatException ex)
                    {
                        this.WriteError(CampaignErrorIds.InvalidCampaignResults, ErrorCategory.InvalidData, file, ex.Message);
                    }
                }
            }
        }

        /// <inheritdoc />
        protected override void EndProcessing()
        {
            if (_shards.Count == 0) return;
            CampaignReport merged;
            try
            {
                merged = CampaignReport.Merge(_shards);
            }
            catch (ArgumentException ex)
            {
                this.WriteError(CampaignErrorIds.CampaignMergeRefused, ErrorCategory.InvalidData, _shards, ex.Message, "Merge exactly one complete results file per shard of one campaign.");
                return;
            }
            string folder = SessionState.Path.GetUnresolvedProviderPathFromPSPath(OutputDirectory);
            if (!ShouldProcess(folder, "Write the merged results of " + _shards.Count + " shards of '" + merged.Name + "'")) return;
            try
            {
                var files = merged.WriteTo(folder);
                WriteVerbose("Merged campaign results: " + string.Join(", ", files));
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                this.WriteError(ex, folder, CampaignErrorIds.CampaignOutputFailed);
                return;
            }
            WriteObject(merged);
        }

        private IEnumerable<string> Resolve(string path)
        {
            if (WildcardPattern.ContainsWildcardCharacters(path))
            {
                System.Collections.ObjectModel.Collection<PathInfo>? found = null;
                try
                {
                    found = SessionState.Path.GetResolvedPSPathFromPSPath(path);
                }
                catch (ItemNotFoundException)
                {
                }
                if (found == null || found.Count == 0) return new[] { SessionState.Path.GetUnresolvedProviderPathFromPSPath(path) };
                var list = new List<string>();
                foreach (var f in found) list.Add(f.ProviderPath);
                list.Sort(StringComparer.Ordinal);
                return list;
            }
            return new[] { SessionState.Path.GetUnresolvedProviderPathFromPSPath(path) };
        }
    }
}

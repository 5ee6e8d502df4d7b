using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Text.RegularExpressions;

namespace XenVbd.PowerShell.Infrastructure
{
    /// <summary>One lab script: its name (the file name without a number prefix) and where it is.</summary>
    public sealed class LabScript
    {
        private static readonly Regex NumberPrefix = new Regex(@"^(?<number>\d+)-(?<name>.+)$", RegexOptions.CultureInvariant);

        private LabScript(string path, bool shipped)
        {
            Path = path;
            Shipped = shipped;
            string file = System.IO.Path.GetFileNameWithoutExtension(path);
            Match m = NumberPrefix.Match(file);
            Name = m.Success ? m.Groups["name"].Value : file;
            Number = m.Success ? m.Groups["number"].Value : "";
        }

        /// <summary>The name Invoke-VbdLab -Name takes and the lab's result carries.</summary>
        public string Name { get; }

        /// <summary>The number prefix ("01"), also accepted by -Name; empty without one.</summary>
        public string Number { get; }

        public string Path { get; }

        /// <summary>True for the labs shipped with the module (their replay command needs no -Path).</summary>
        public bool Shipped { get; }

        /// <summary>The folder of the labs shipped with the module: Labs beside the module's Core and Desktop folders.</summary>
        public static string ShippedFolder
        {
            get
            {
                string binary = System.IO.Path.GetDirectoryName(typeof(LabScript).Assembly.Location) ?? ".";
                return System.IO.Path.GetFullPath(System.IO.Path.Combine(binary, "..", "Labs"));
            }
        }

        /// <summary>
        /// The lab scripts of a folder, in file-name order: every *.ps1 except Pester suites (*.Tests.ps1), the
        /// scripts those suites dot-source (*.Helpers.ps1) and runners (Invoke-*.ps1). A file is taken as it is.
        /// </summary>
        public static IReadOnlyList<LabScript> In(string path, bool shipped)
        {
            if (File.Exists(path))
            {
                return new[] { new LabScript(System.IO.Path.GetFullPath(path), shipped) };
            }

            if (!Directory.Exists(path))
            {
                return Array.Empty<LabScript>();
            }

            return Directory.GetFiles(path, "*.ps1")
                .Where(IsLab)
                .OrderBy(f => System.IO.Path.GetFileName(f), StringComparer.OrdinalIgnoreCase)
                .Select(f => new LabScript(System.IO.Path.GetFullPath(f), shipped))
                .ToArray();
        }

        private static bool IsLab(string file)
        {
            string name = System.IO.Path.GetFileName(file);
            return !name.EndsWith(".Tests.ps1", StringComparison.OrdinalIgnoreCase)
                && !name.EndsWith(".Helpers.ps1", StringComparison.OrdinalIgnoreCase)
                && !name.StartsWith("Invoke-", StringComparison.OrdinalIgnoreCase);
        }

        /// <summary>True for the lab's name, its number prefix, its file name (as Get-ChildItem output binds -Name) or a wildcard matching its name.</summary>
        public bool Matches(string name) =>
            string.Equals(Name, name, StringComparison.OrdinalIgnoreCase)
            || string.Equals(System.IO.Path.GetFileName(Path), name, StringComparison.OrdinalIgnoreCase)
            || (Number.Length > 0 && string.Equals(Number, name, StringComparison.OrdinalIgnoreCase))
            || (WildcardPattern.ContainsWildcardCharacters(name) && WildcardPattern.Get(name, WildcardOptions.IgnoreCase).IsMatch(Name));
    }
}

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;

namespace XenVbd.Lab
{
    /// <summary>Runs one lab, several, or the default set, each from the same seed, and times them.</summary>
    public static class LabRunner
    {
        /// <summary>The six labs, in the order the issue lists them.</summary>
        public static IReadOnlyList<ILab> All { get; } = new ILab[]
        {
            new MisalignedBuffersLab(),
            new BitnessMatrixLab(),
            new DelayedResponsesLab(),
            new MigrationLab(),
            new RogueBackendLab(),
            new ChkdskBurstLab(),
        };

        /// <summary>The set the README's main command runs: all six, on the in-memory disk.</summary>
        public static IReadOnlyList<ILab> DefaultSet => All;

        public static ILab? Find(string name)
        {
            foreach (var lab in All)
                if (string.Equals(lab.Name, name, StringComparison.OrdinalIgnoreCase) || string.Equals(Number(lab), name, StringComparison.OrdinalIgnoreCase)) return lab;
            return null;
        }

        /// <summary>"01".."06", the lab scripts' prefixes, also accepted as names.</summary>
        public static string Number(ILab lab)
        {
            for (int i = 0; i < All.Count; i++) if (ReferenceEquals(All[i], lab)) return (i + 1).ToString("00", System.Globalization.CultureInfo.InvariantCulture);
            return "";
        }

        /// <summary>Runs the named labs (null or empty: the default set). A lab that throws fails with the exception as its finding; the others still run.</summary>
        public static List<LabResult> Run(IEnumerable<string>? names, ulong seed, IProgress<LabProgress>? progress = null, CancellationToken cancellationToken = default)
        {
            var labs = new List<ILab>();
            if (names != null)
            {
                foreach (var n in names)
                    labs.Add(Find(n) ?? throw new ArgumentException($"There is no lab named '{n}'. Labs: {string.Join(", ", Names())}.", nameof(names)));
            }
            if (labs.Count == 0) labs.AddRange(DefaultSet);
            var results = new List<LabResult>();
            foreach (var lab in labs)
            {
                if (cancellationToken.IsCancellationRequested) break;
                results.Add(Run(lab, seed, progress, cancellationToken));
            }
            return results;
        }

        public static LabResult Run(ILab lab, ulong seed, IProgress<LabProgress>? progress = null, CancellationToken cancellationToken = default)
        {
            if (lab == null) throw new ArgumentNullException(nameof(lab));
            var context = new LabContext(seed, progress, cancellationToken);
            var wall = Stopwatch.StartNew();
            LabResult result;
            try
            {
                result = lab.Run(context);
            }
            catch (Exception ex) when (!(ex is OutOfMemoryException))
            {
                result = new LabResult(lab.Name, seed);
                result.Check(false, $"the lab threw {ex.GetType().Name}: {ex.Message}");
                // The stack goes into the findings so a failing CI run can be diagnosed from the report alone.
                result.Find(ex.ToString());
            }
            if (cancellationToken.IsCancellationRequested) result.Check(false, "cancelled before the lab finished");
            result.WallTime = wall.Elapsed;
            progress?.Report(new LabProgress(lab.Name, result.Passed ? "passed" : "failed", 100));
            return result;
        }

        public static IEnumerable<string> Names()
        {
            foreach (var lab in All) yield return lab.Name;
        }
    }
}

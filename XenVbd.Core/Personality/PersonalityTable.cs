using System;
using System.Collections.Generic;
using System.Text;

namespace XenVbd.Personality
{
    /// <summary>
    /// Renders personalities as the Markdown that <c>docs/PERSONALITIES.md</c> holds between a section's
    /// <c>&lt;!-- NAME:begin --&gt;</c> and <c>&lt;!-- NAME:end --&gt;</c> markers. The document is generated from
    /// the code and a test compares them, so the table cannot drift from what the model does.
    /// </summary>
    public static class PersonalityTable
    {
        /// <summary>The begin marker of section <paramref name="section"/>.</summary>
        public static string BeginMarker(string section) => "<!-- " + section + ":begin -->";

        /// <summary>The end marker of section <paramref name="section"/>.</summary>
        public static string EndMarker(string section) => "<!-- " + section + ":end -->";

        /// <summary>
        /// One section: a summary table of the personalities, then each personality's behaviours with the source of
        /// each (repository, file, function, revision) or, for one that could not be pinned, why.
        /// </summary>
        public static string Render(string section, IEnumerable<IDriverPersonality> personalities)
        {
            if (string.IsNullOrWhiteSpace(section)) throw new ArgumentException("A section has a name.", nameof(section));
            if (personalities is null) throw new ArgumentNullException(nameof(personalities));
            var list = new List<IDriverPersonality>(personalities);
            var sb = new StringBuilder();
            sb.Append(BeginMarker(section)).Append('\n');
            sb.Append("| personality | real driver | behaviours | what it is |\n");
            sb.Append("|---|---|---:|---|\n");
            foreach (var p in list)
                sb.Append("| `").Append(p.Name).Append("` | ").Append(p.IsRealDriver ? "yes" : "no (this project's own)")
                  .Append(" | ").Append(p.Behaviours.Count).Append(" | ").Append(Cell(p.Description)).Append(" |\n");
            foreach (var p in list)
            {
                sb.Append('\n').Append("### `").Append(p.Name).Append("`\n\n").Append(p.Description).Append("\n\n");
                sb.Append("| behaviour | what the driver does | source |\n");
                sb.Append("|---|---|---|\n");
                foreach (var b in p.Behaviours)
                {
                    sb.Append("| `").Append(b.Id).Append("` | ").Append(Cell(b.Summary)).Append(" | ");
                    if (b.Source is { } s)
                    {
                        sb.Append('`').Append(s.Repository).Append("` ");
                        if (s.Revision is not null) sb.Append('@').Append(s.Revision).Append(' ');
                        sb.Append('`').Append(s.File).Append("` `").Append(s.Function).Append('`');
                    }
                    else
                    {
                        sb.Append("not pinned: ").Append(Cell(b.Unpinned!));
                    }
                    sb.Append(" |\n");
                }
            }
            sb.Append(EndMarker(section)).Append('\n');
            return sb.ToString();
        }

        /// <summary>The text of section <paramref name="section"/> in <paramref name="document"/>, markers included; null if absent.</summary>
        public static string? Extract(string document, string section)
        {
            if (document is null) throw new ArgumentNullException(nameof(document));
            string begin = BeginMarker(section), end = EndMarker(section);
            int b = document.IndexOf(begin, StringComparison.Ordinal);
            if (b < 0) return null;
            int e = document.IndexOf(end, b, StringComparison.Ordinal);
            if (e < 0) return null;
            return document.Substring(b, e + end.Length - b) + "\n";
        }

        // A table cell cannot hold a pipe or a line break.
        private static string Cell(string text) => text.Replace("|", "\\|").Replace("\r", "").Replace("\n", " ");
    }
}

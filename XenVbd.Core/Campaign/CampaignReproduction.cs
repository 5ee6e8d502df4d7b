using System;
using System.IO;
using System.Text;
using System.Text.Json;

namespace XenVbd.Campaign
{
    /// <summary>
    /// A shrunk failure: the case as it failed in the campaign, the smallest case found that fails the same way,
    /// and how much work the shrink took. <see cref="ToJson"/> is the replay file <c>Invoke-VbdCampaign -Replay</c> runs.
    /// </summary>
    public sealed class CampaignReproduction
    {
        public CampaignReproduction(CampaignResult original, CampaignResult minimal, int runs, int steps, bool isMinimal)
        {
            Original = original ?? throw new ArgumentNullException(nameof(original));
            Minimal = minimal ?? throw new ArgumentNullException(nameof(minimal));
            Runs = runs;
            Steps = steps;
            IsMinimal = isMinimal;
        }

        public CampaignResult Original { get; }

        public CampaignResult Minimal { get; }

        public long Index => Original.Index;

        public string Failure => Original.Failure;

        /// <summary>Cases run while shrinking.</summary>
        public int Runs { get; }

        /// <summary>Shrink steps that kept the failure.</summary>
        public int Steps { get; }

        /// <summary>False when the run budget ran out first: the case still fails, but a smaller one may exist.</summary>
        public bool IsMinimal { get; }

        /// <summary>Where <see cref="Save"/> wrote the replay file (null until then).</summary>
        public string? Path { get; private set; }

        /// <summary>The one command that replays the shrunk case (once saved).</summary>
        public string? ReplayCommand => Path == null ? null : "Invoke-VbdCampaign -Replay '" + Path.Replace("'", "''") + "'";

        public string ToJson()
        {
            using var stream = new MemoryStream();
            using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
            {
                w.WriteStartObject();
                w.WriteString("Replay", "XenVbd campaign case");
                w.WriteString("Failure", Minimal.Failure);
                w.WriteString("Detail", Minimal.Detail);
                w.WriteNumber("ShrunkFromIndex", Original.Index);
                w.WritePropertyName("Case");
                CampaignJson.WriteCase(w, Minimal.Case);
                w.WritePropertyName("Original");
                CampaignJson.WriteCase(w, Original.Case);
                w.WriteEndObject();
            }
            return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
        }

        public string Save(string path)
        {
            File.WriteAllText(path, ToJson(), new UTF8Encoding(false));
            Path = System.IO.Path.GetFullPath(path);
            return Path;
        }

        /// <summary>Reads a replay file: the case to run and the failure it is expected to show.</summary>
        public static CampaignCase ReadReplay(string json, CampaignAxisSet? axes, out string expectedFailure)
        {
            JsonDocument doc;
            try
            {
                doc = JsonDocument.Parse(json);
            }
            catch (JsonException ex)
            {
                throw new FormatException("The replay file is not valid JSON: " + ex.Message, ex);
            }
            using (doc)
            {
                var root = doc.RootElement;
                CampaignJson.Expect(root, JsonValueKind.Object, "replay");
                if (!root.TryGetProperty("Case", out var c)) throw new FormatException("The replay file has no Case: it is not one Invoke-VbdCampaign wrote.");
                expectedFailure = root.TryGetProperty("Failure", out var f) ? CampaignJson.String(f, "replay.Failure") : "";
                return CampaignJson.ReadCase(c, axes ?? CampaignAxisSet.Default, "replay.Case");
            }
        }

        public override string ToString() => "#" + Index + " " + Failure + ": " + Minimal.Case;
    }
}

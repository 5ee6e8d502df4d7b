using System;
using System.Collections;
using System.IO;
using System.Management.Automation;
using System.Text;
using System.Text.Json;

namespace XenVbd.PowerShell.Cmdlets
{
    /// <summary>
    /// PowerShell values (a data file's hashtables, a parameter's arrays) as JSON text, so a PowerShell data file
    /// and a JSON file reach the engine through the one reader (<see cref="XenVbd.Campaign.CampaignMatrix.Parse"/>).
    /// </summary>
    public static class CampaignData
    {
        public static string ToJson(object? value)
        {
            using var stream = new MemoryStream();
            using (var w = new Utf8JsonWriter(stream)) Write(w, value, "matrix");
            return Encoding.UTF8.GetString(stream.ToArray());
        }

        private static void Write(Utf8JsonWriter w, object? value, string where)
        {
            if (value is PSObject pso) value = pso.BaseObject;
            switch (value)
            {
                case null: w.WriteNullValue(); break;
                case string s: w.WriteStringValue(s); break;
                case bool b: w.WriteBooleanValue(b); break;
                case SwitchParameter sw: w.WriteBooleanValue(sw.IsPresent); break;
                case Enum e: w.WriteStringValue(e.ToString()); break;
                case TimeSpan t: w.WriteStringValue(XenVbd.Campaign.CampaignJson.Time(t)); break;
                case char ch: w.WriteStringValue(ch.ToString()); break;
                case byte or sbyte or short or ushort or int or uint or long: w.WriteNumberValue(Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture)); break;
                case ulong u: w.WriteNumberValue(u); break;
                case float or double or decimal: w.WriteNumberValue(Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture)); break;
                case IDictionary d:
                    w.WriteStartObject();
                    foreach (DictionaryEntry kv in d)
                    {
                        string key = Convert.ToString(kv.Key, System.Globalization.CultureInfo.InvariantCulture) ?? "";
                        w.WritePropertyName(key);
                        Write(w, kv.Value, where + "." + key);
                    }
                    w.WriteEndObject();
                    break;
                case IEnumerable list:
                    w.WriteStartArray();
                    foreach (var item in list) Write(w, item, where + "[]");
                    w.WriteEndArray();
                    break;
                default:
                    throw new FormatException(where + " is a " + value.GetType().Name + "; a campaign matrix holds only names, numbers, true/false, time spans, lists and tables.");
            }
        }

        /// <summary>
        /// The text of a matrix file as JSON: a .psd1 parsed the way Import-PowerShellDataFile does it (the one
        /// hashtable, read with SafeGetValue, so no code in the file runs), a .json as it is.
        /// </summary>
        public static string ReadMatrixFile(string path)
        {
            if (!path.EndsWith(".psd1", StringComparison.OrdinalIgnoreCase)) return File.ReadAllText(path);
            var ast = System.Management.Automation.Language.Parser.ParseFile(path, out _, out var errors);
            if (errors != null && errors.Length > 0)
                throw new FormatException(path + " is not a valid PowerShell data file: " + errors[0].Message + " (line " + errors[0].Extent.StartLineNumber + ").");
            var table = ast.Find(a => a is System.Management.Automation.Language.HashtableAst, false) as System.Management.Automation.Language.HashtableAst;
            if (table == null) throw new FormatException(path + " holds no @{ ... } table.");
            object value;
            try
            {
                value = table.SafeGetValue();
            }
            catch (InvalidOperationException ex)
            {
                throw new FormatException(path + " may hold only constant data: " + ex.Message, ex);
            }
            return ToJson(value);
        }
    }
}

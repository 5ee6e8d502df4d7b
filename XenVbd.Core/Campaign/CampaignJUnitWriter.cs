using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using System.Xml;

namespace XenVbd.Campaign
{
    /// <summary>
    /// JUnit XML for CI dashboards: one test suite per configuration, one test case per case, a failure element
    /// carrying the failure signature as its type, and invalid combinations as skipped. No timestamps and no
    /// times, so the file is a function of the results alone.
    /// </summary>
    public static class CampaignJUnitWriter
    {
        public static string Write(CampaignReport report)
        {
            var suites = new List<KeyValuePair<string, List<CampaignResult>>>();
            var byConfig = new Dictionary<string, List<CampaignResult>>();
            foreach (var r in report.Results)
            {
                if (!byConfig.TryGetValue(r.Configuration, out var list))
                {
                    list = new List<CampaignResult>();
                    byConfig.Add(r.Configuration, list);
                    suites.Add(new KeyValuePair<string, List<CampaignResult>>(r.Configuration, list));
                }
                list.Add(r);
            }

            var sb = new StringBuilder();
            var settings = new XmlWriterSettings { Indent = true, NewLineChars = "\n", Encoding = new UTF8Encoding(false), OmitXmlDeclaration = false };
            using (var sw = new Utf8StringWriter(sb))
            using (var w = XmlWriter.Create(sw, settings))
            {
                w.WriteStartDocument();
                w.WriteStartElement("testsuites");
                w.WriteAttributeString("name", report.Name);
                w.WriteAttributeString("tests", Count(report.Results, null));
                w.WriteAttributeString("failures", Count(report.Results, CampaignOutcome.Failed));
                w.WriteAttributeString("errors", "0");
                w.WriteAttributeString("skipped", Count(report.Results, CampaignOutcome.Invalid));
                foreach (var suite in suites)
                {
                    w.WriteStartElement("testsuite");
                    w.WriteAttributeString("name", suite.Key);
                    w.WriteAttributeString("tests", Count(suite.Value, null));
                    w.WriteAttributeString("failures", Count(suite.Value, CampaignOutcome.Failed));
                    w.WriteAttributeString("errors", "0");
                    w.WriteAttributeString("skipped", Count(suite.Value, CampaignOutcome.Invalid));
                    foreach (var r in suite.Value)
                    {
                        w.WriteStartElement("testcase");
                        w.WriteAttributeString("classname", report.Name + "." + suite.Key);
                        w.WriteAttributeString("name", "#" + r.Index.ToString(CultureInfo.InvariantCulture) + " faults=" + r.FaultPlan + " workload=" + r.Workload + " seed=" + r.Seed.ToString(CultureInfo.InvariantCulture));
                        if (r.Outcome == CampaignOutcome.Failed)
                        {
                            w.WriteStartElement("failure");
                            w.WriteAttributeString("type", r.Failure);
                            w.WriteAttributeString("message", r.Detail);
                            w.WriteEndElement();
                        }
                        else if (r.Outcome == CampaignOutcome.Invalid)
                        {
                            w.WriteStartElement("skipped");
                            w.WriteAttributeString("message", r.Detail);
                            w.WriteEndElement();
                        }
                        w.WriteEndElement();
                    }
                    w.WriteEndElement();
                }
                w.WriteEndElement();
                w.WriteEndDocument();
            }
            return sb.Append('\n').ToString();
        }

        private static string Count(IEnumerable<CampaignResult> results, CampaignOutcome? outcome)
        {
            int n = 0;
            foreach (var r in results) if (outcome == null || r.Outcome == outcome) n++;
            return n.ToString(CultureInfo.InvariantCulture);
        }

        /// <summary>A StringWriter that tells XmlWriter "UTF-8", so the declaration says what the file is.</summary>
        private sealed class Utf8StringWriter : StringWriter
        {
            public Utf8StringWriter(StringBuilder sb) : base(sb, CultureInfo.InvariantCulture)
            {
            }

            public override Encoding Encoding => new UTF8Encoding(false);
        }
    }
}

using System;
using System.IO;
using XenVbd.Backend;
using XenVbd.Personality;

namespace XenVbd.Tests.Backend
{
    /// <summary>
    /// docs/PERSONALITIES.md's <c>backends</c> section is generated from <see cref="BackendProfile.All"/>; this fails when the
    /// checked-in text differs from the code. To regenerate: <c>XENVBD_WRITE_PERSONALITIES=1 dotnet test tests/XenVbd.Core.Tests
    /// --filter FullyQualifiedName~BackendPersonalityDocTests</c>, then commit the document.
    /// </summary>
    public class BackendPersonalityDocTests
    {
        private const string Section = "backends";

        [Fact]
        public void Backends_section_of_PERSONALITIES_md_is_what_the_code_renders()
        {
            string root = FindRepositoryRoot() ?? throw new InvalidOperationException("XenVbd.sln not found above " + AppContext.BaseDirectory);
            string path = Path.Combine(root, "docs", "PERSONALITIES.md");
            string expected = PersonalityTable.Render(Section, BackendProfile.All);
            string document = File.ReadAllText(path).Replace("\r\n", "\n");
            string? actual = PersonalityTable.Extract(document, Section);

            if (Environment.GetEnvironmentVariable("XENVBD_WRITE_PERSONALITIES") == "1" && actual != expected)
            {
                document = actual is null
                    ? document.TrimEnd('\n') + "\n\n" + expected
                    : document.Replace(actual.TrimEnd('\n'), expected.TrimEnd('\n'));
                File.WriteAllText(path, document);
                actual = PersonalityTable.Extract(document, Section);
            }

            Assert.NotNull(actual);
            Assert.Equal(expected, actual);
        }

        [Fact]
        public void Every_backend_behaviour_names_its_source_or_why_not()
        {
            foreach (var p in BackendProfile.All)
            {
                Assert.True(p.IsRealDriver);
                Assert.NotEmpty(p.Behaviours);
                foreach (var b in p.Behaviours)
                    Assert.True(b.Source is not null ^ b.Unpinned is not null, p.Name + "/" + b.Id);
            }
        }

        private static string? FindRepositoryRoot()
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "XenVbd.sln"))) return dir.FullName;
            return null;
        }
    }
}

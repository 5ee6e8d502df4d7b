using System;
using System.IO;
using XenVbd.Frontend;
using XenVbd.Personality;

namespace XenVbd.Tests.Frontend
{
    /// <summary>
    /// docs/PERSONALITIES.md's <c>frontends</c> section is generated from the personalities, so it cannot drift from
    /// what the model does. When the code changed, regenerate it with <c>XENVBD_WRITE_PERSONALITIES=1 dotnet test
    /// --filter PersonalityDocumentTests</c> (or paste the text this test prints).
    /// </summary>
    public sealed class PersonalityDocumentTests
    {
        private const string Section = "frontends";
        private const string RewriteVariable = "XENVBD_WRITE_PERSONALITIES";

        [Fact]
        public void Frontends_section_of_PERSONALITIES_md_is_the_one_the_code_renders()
        {
            string path = Path.Combine(RepositoryRoot(), "docs", "PERSONALITIES.md");
            string expected = PersonalityTable.Render(Section, FrontendPersonalities.All);
            string document = File.ReadAllText(path).Replace("\r\n", "\n");
            string? actual = PersonalityTable.Extract(document, Section);
            if (actual != expected && Environment.GetEnvironmentVariable(RewriteVariable) == "1")
            {
                document = actual is null
                    ? document.TrimEnd('\n') + "\n\n" + expected
                    : document.Replace(actual.TrimEnd('\n'), expected.TrimEnd('\n'));
                File.WriteAllText(path, document);
                actual = PersonalityTable.Extract(document, Section);
            }

            Assert.True(actual == expected,
                "docs/PERSONALITIES.md's '" + Section + "' section differs from the code. Run the tests with " + RewriteVariable
                + "=1 to rewrite it, or replace the section with:\n" + expected);
        }

        private static string RepositoryRoot()
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "XenVbd.sln"))) return dir.FullName;
            throw new InvalidOperationException("The repository root (XenVbd.sln) was not found above " + AppContext.BaseDirectory);
        }
    }
}

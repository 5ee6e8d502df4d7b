using System;
using System.IO;

namespace XenVbd.Tests.Storage
{
    /// <summary>A fresh directory per test, removed afterwards so image files never leak between runs.</summary>
    internal sealed class TempDirectory : IDisposable
    {
        public TempDirectory()
        {
            Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "xenvbd-storage-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(Path);
        }

        public string Path { get; }

        public string File(string name) => System.IO.Path.Combine(Path, name);

        public void Dispose()
        {
            try
            {
                Directory.Delete(Path, recursive: true);
            }
            catch (IOException)
            {
                // A handle a failing test left open must not hide that test's real failure.
            }
        }
    }
}

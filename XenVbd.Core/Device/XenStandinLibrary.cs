using System;
using System.Diagnostics;
using System.IO;
using System.Security.Cryptography;
using System.Text;

namespace XenVbd.Device
{
    /// <summary>
    /// Builds the Xen stand-in (xen-standin.c, preloaded into QEMU) on first use into a per-user cache keyed by the
    /// SHA-256 of its sources and flags: a changed source never meets a stale library, and an unchanged one is compiled
    /// once per machine. Compiling here rather than at build time keeps the module usable where it was built without gcc
    /// or Xen's headers, and builds the library against the glibc and libxen-dev of the machine QEMU runs on.
    /// </summary>
    public static class XenStandinLibrary
    {
        public const string SourceFileName = "xen-standin.c";

        public const string HeaderFileName = "shm.h";

        public const string LibraryFileName = "libxen-standin.so";

        /// <summary>What installs the compiler and Xen's library headers the stand-in is built against.</summary>
        public const string InstallCommand = "sudo apt-get install gcc libxen-dev";

        private static readonly string[] Flags =
        {
            "-shared", "-fPIC", "-fvisibility=hidden", "-std=gnu11", "-Wall", "-Wextra", "-Werror", "-O2", "-fno-strict-aliasing",
            "-D__XEN_INTERFACE_VERSION__=0x00040e00",
        };

        /// <summary>Xen's headers the stand-in includes; the first missing one names libxen-dev.</summary>
        private static readonly string[] XenHeaders = { "/usr/include/xenstore.h", "/usr/include/xengnttab.h", "/usr/include/xenevtchn.h", "/usr/include/xen/grant_table.h" };

        /// <summary>The per-user cache: $XDG_CACHE_HOME/xenvbd, else ~/.cache/xenvbd.</summary>
        public static string DefaultCacheRoot()
        {
            string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
            string root = !string.IsNullOrEmpty(xdg) && Path.IsPathRooted(xdg) ? xdg! : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
            return Path.Combine(root, "xenvbd");
        }

        /// <summary>The cache key of these sources: the first 16 hex digits of SHA-256 over both files and the flags.</summary>
        public static string SourceHash(string source, string header)
        {
            using var sha = SHA256.Create();
            byte[] a = File.ReadAllBytes(source), b = File.ReadAllBytes(header), f = Encoding.UTF8.GetBytes(string.Join(" ", Flags));
            var all = new byte[a.Length + b.Length + f.Length + 2];
            Buffer.BlockCopy(a, 0, all, 0, a.Length);
            Buffer.BlockCopy(b, 0, all, a.Length + 1, b.Length);
            Buffer.BlockCopy(f, 0, all, a.Length + b.Length + 2, f.Length);
            var sb = new StringBuilder();
            foreach (byte x in sha.ComputeHash(all)) sb.Append(x.ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
            return sb.ToString(0, 16);
        }

        /// <summary>
        /// The library for <paramref name="source"/> (its <see cref="HeaderFileName"/> in <paramref name="headerDirectory"/>),
        /// compiled now if the cache does not hold it yet. Throws <see cref="BackendPrerequisiteException"/> when gcc or
        /// Xen's headers are missing.
        /// </summary>
        public static string Ensure(string source, string headerDirectory, string? cacheRoot = null, string compiler = "gcc")
        {
            if (!File.Exists(source)) throw new FileNotFoundException("The Xen stand-in's source '" + source + "' is missing (the module's native/xen-standin folder is incomplete; publish it again).", source);
            string header = Path.Combine(headerDirectory, HeaderFileName);
            if (!File.Exists(header)) throw new FileNotFoundException("The shared-memory layout header '" + header + "' the stand-in includes is missing.", header);
            string dir = Path.Combine(cacheRoot ?? DefaultCacheRoot(), "xen-standin", SourceHash(source, header));
            string library = Path.Combine(dir, LibraryFileName);
            if (File.Exists(library)) return library;

            foreach (string h in XenHeaders)
            {
                if (!File.Exists(h))
                    throw new BackendPrerequisiteException("The Xen stand-in must be compiled once against Xen's library headers, and '" + h + "' is missing.", h, InstallCommand);
            }

            Directory.CreateDirectory(dir);
            // Compiled under a private name and renamed into place: two processes on first use never see half a library.
            string partial = Path.Combine(dir, LibraryFileName + "." + Guid.NewGuid().ToString("N") + ".tmp");
            var start = new ProcessStartInfo(compiler)
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            var arguments = new System.Collections.Generic.List<string>(Flags) { "-I" + headerDirectory, "-o", partial, source, "-lpthread" };
            ProcessArguments.Set(start, arguments);
            Process process;
            try
            {
                process = Process.Start(start) ?? throw new InvalidOperationException("'" + compiler + "' did not start.");
            }
            catch (System.ComponentModel.Win32Exception ex)
            {
                throw new BackendPrerequisiteException("The Xen stand-in must be compiled once with '" + compiler + "', which is not installed (" + ex.Message + ").", compiler, InstallCommand, ex);
            }

            using (process)
            {
                var stderr = process.StandardError.ReadToEndAsync();
                var stdout = process.StandardOutput.ReadToEndAsync();
                if (!process.WaitForExit(120_000))
                {
                    try { process.Kill(); } catch (InvalidOperationException) { }
                    throw new TimeoutException("Compiling the Xen stand-in with '" + compiler + "' took more than 120 s.");
                }

                process.WaitForExit();
                if (process.ExitCode != 0)
                {
                    TryDelete(partial);
                    throw new InvalidOperationException("Compiling the Xen stand-in failed (" + compiler + " exit code " + process.ExitCode + "): " + (stderr.Result + stdout.Result).Trim());
                }
            }

            try
            {
                File.Move(partial, library);
            }
            catch (IOException) when (File.Exists(library))
            {
                TryDelete(partial);   // another process finished first: same sources, same library
            }

            return library;
        }

        private static void TryDelete(string path)
        {
            try
            {
                File.Delete(path);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }
}

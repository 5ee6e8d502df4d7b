using System.Management.Automation;
#if NET
using System;
using System.IO;
using System.Reflection;
using System.Runtime.Loader;
#endif

namespace XenVbd.PowerShell.Infrastructure
{
    /// <summary>
    /// Runs when PowerShell imports XenVbd.PowerShell.dll. Under PowerShell 7 it isolates the engine:
    /// XenVbd.Core and everything it depends on (Polly.Core and its shims) live in a <c>deps</c> folder
    /// next to this dll and are loaded into a private <c>AssemblyLoadContext</c>, so another
    /// module that loads a different Polly (or System.Text.Json, ...) cannot clash with ours.
    /// This is the "load through an AssemblyLoadContext" pattern from the PowerShell docs
    /// ("Resolving PowerShell module assembly dependency conflicts"): the default context is only
    /// ever asked for XenVbd.Core (the one assembly the cmdlets reference), and the handler answers
    /// that single name from the private context; the private context resolves the rest from deps/.
    /// Rule that follows for cmdlet classes: PowerShell calls <c>GetExportedTypes()</c> on this assembly
    /// before it runs <see cref="OnImport"/>, and loading a type lays out its fields. A field (or an
    /// auto-property's backing field) whose type is an engine value type (an enum such as BlkifAbi)
    /// would make the runtime load XenVbd.Core before the resolver exists, and the import fails. Such
    /// parameters keep their value in an <c>int</c> field; property signatures may use engine types.
    /// Under Windows PowerShell 5.1 (netstandard2.0) there are no load contexts: all dlls sit flat
    /// next to this one in module/Desktop and load into the one AppDomain.
    /// </summary>
    public sealed class XenVbdModuleInitializer : IModuleAssemblyInitializer
    {
        /// <summary>Folder (next to this assembly) that holds the engine and its dependencies.</summary>
        public const string DependencyFolderName = "deps";

        /// <summary>The only assembly the default load context is allowed to receive from the private one.</summary>
        public const string EngineAssemblyName = "XenVbd.Core";

        /// <summary>The HTML report writer, which the lab cmdlet calls directly; it lives in the private context too.</summary>
        public const string ReportsAssemblyName = "XenVbd.Reports";

        private static readonly object Gate = new object();
        private static bool s_registered;

        /// <summary>Called by PowerShell on Import-Module; idempotent.</summary>
        public void OnImport() => Register();

        /// <summary>True when the engine is being served from a private load context (PowerShell 7 module layout).</summary>
        public static bool IsIsolated { get; private set; }

        /// <summary>Registers the engine resolver if a <c>deps</c> folder sits next to this assembly; idempotent.</summary>
        public static void Register()
        {
            lock (Gate)
            {
                if (s_registered)
                {
                    return;
                }

                s_registered = true;
#if NET
                string? here = Path.GetDirectoryName(typeof(XenVbdModuleInitializer).Assembly.Location);
                if (string.IsNullOrEmpty(here))
                {
                    return;
                }

                string deps = Path.Combine(here, DependencyFolderName);
                if (!Directory.Exists(deps))
                {
                    // Development / in-process hosting: the engine sits next to us or in the host's
                    // dependency graph and the default context finds it on its own.
                    return;
                }

                EngineLoadContext.Initialize(deps);
                AssemblyLoadContext.Default.Resolving += ResolveEngine;
                IsIsolated = true;
#endif
            }
        }

#if NET
        private static Assembly? ResolveEngine(AssemblyLoadContext context, AssemblyName name)
        {
            if (!string.Equals(name.Name, EngineAssemblyName, StringComparison.Ordinal)
                && !string.Equals(name.Name, ReportsAssemblyName, StringComparison.Ordinal))
            {
                return null;
            }

            return EngineLoadContext.Instance?.LoadFromAssemblyName(name);
        }
#endif
    }

#if NET
    /// <summary>The private load context holding XenVbd.Core, Polly.Core and their shims.</summary>
    public sealed class EngineLoadContext : AssemblyLoadContext
    {
        private readonly string _dependencyDirectory;

        private EngineLoadContext(string dependencyDirectory)
            : base("XenVbd.Engine", isCollectible: false)
        {
            _dependencyDirectory = dependencyDirectory;
        }

        /// <summary>The context, once the module has been imported from its published layout.</summary>
        public static EngineLoadContext? Instance { get; private set; }

        internal static void Initialize(string dependencyDirectory)
        {
            Instance ??= new EngineLoadContext(dependencyDirectory);
        }

        /// <inheritdoc />
        protected override Assembly? Load(AssemblyName assemblyName)
        {
            string path = Path.Combine(_dependencyDirectory, assemblyName.Name + ".dll");
            // Anything not shipped in deps/ (the framework, System.Management.Automation) is shared
            // with the default context: returning null defers to it.
            return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
        }

        /// <summary>
        /// Native libraries a dependency brings (none today) come from deps/runtimes/&lt;rid&gt;/native,
        /// where publish puts them; the default probing would not look inside our private folder.
        /// </summary>
        protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
        {
            string rid = System.Runtime.InteropServices.RuntimeInformation.RuntimeIdentifier;
            string arch = System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();
            string os = OperatingSystem.IsWindows() ? "win" : OperatingSystem.IsMacOS() ? "osx" : "linux";
            foreach (string folder in new[] { rid, os + "-" + arch })
            {
                string dir = Path.Combine(_dependencyDirectory, "runtimes", folder, "native");
                foreach (string file in new[] { unmanagedDllName, "lib" + unmanagedDllName + ".so", unmanagedDllName + ".so", "lib" + unmanagedDllName + ".dylib", unmanagedDllName + ".dll" })
                {
                    string candidate = Path.Combine(dir, file);
                    if (File.Exists(candidate))
                    {
                        return LoadUnmanagedDllFromPath(candidate);
                    }
                }
            }

            return IntPtr.Zero;
        }
    }
#endif
}

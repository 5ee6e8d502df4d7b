using System;
using System.Collections.ObjectModel;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using XenVbd.PowerShell.Cmdlets;

namespace XenVbd.PowerShell.Tests
{
    /// <summary>An in-process PowerShell 7 engine with the XenVbd binary module imported.</summary>
    internal sealed class PowerShellHost : IDisposable
    {
        private readonly Runspace _runspace;

        private PowerShellHost(InitialSessionState state)
        {
            _runspace = RunspaceFactory.CreateRunspace(state);
            _runspace.Open();
        }

        /// <summary>The XenVbd cmdlets assembly, as built next to this test assembly.</summary>
        public static string ModuleAssemblyPath => typeof(GetBlkifLayoutCommand).Assembly.Location;

        /// <summary>The format file, copied next to the tests from the repository root.</summary>
        public static string FormatFilePath => Path.Combine(AppContext.BaseDirectory, "XenVbd.Format.ps1xml");

        /// <summary>Imports the module the way a user does: Import-Module on the dll path.</summary>
        public static PowerShellHost WithImportedModule()
        {
            var host = new PowerShellHost(InitialSessionState.CreateDefault2());
            host.Invoke(ps => ps.AddCommand("Import-Module").AddParameter("Name", ModuleAssemblyPath).AddParameter("ErrorAction", "Stop"));
            return host;
        }

        /// <summary>Registers cmdlet types directly in the session state (no module import).</summary>
        public static PowerShellHost WithCmdlets(params (string Name, Type Type)[] cmdlets)
        {
            InitialSessionState state = InitialSessionState.CreateDefault2();
            foreach ((string name, Type type) in cmdlets)
            {
                state.Commands.Add(new SessionStateCmdletEntry(name, type, helpFileName: null));
            }

            return new PowerShellHost(state);
        }

        public Collection<PSObject> Invoke(Action<System.Management.Automation.PowerShell> build) => Invoke(build, out _);

        public Collection<PSObject> Invoke(Action<System.Management.Automation.PowerShell> build, out ErrorRecord[] errors)
        {
            using var ps = System.Management.Automation.PowerShell.Create();
            ps.Runspace = _runspace;
            build(ps);
            Collection<PSObject> result = ps.Invoke();
            errors = ps.Streams.Error.ToArray();
            return result;
        }

        /// <summary>A PowerShell bound to this host's runspace, for asynchronous use (BeginInvoke / Stop).</summary>
        public System.Management.Automation.PowerShell Create()
        {
            var ps = System.Management.Automation.PowerShell.Create();
            ps.Runspace = _runspace;
            return ps;
        }

        public Collection<PSObject> Script(string script) => Invoke(ps => ps.AddScript(script));

        public Collection<PSObject> Script(string script, out ErrorRecord[] errors) => Invoke(ps => ps.AddScript(script), out errors);

        public void Dispose() => _runspace.Dispose();
    }
}

using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using XenVbd.PowerShell.Cmdlets;
using XenVbd.Ring;

namespace XenVbd.PowerShell.Tests
{
    public sealed class GetBlkifLayoutTests
    {
        private static BlkifFieldInfo[] Fields(System.Collections.Generic.IEnumerable<PSObject> output)
            => output.Select(o => Assert.IsType<BlkifFieldInfo>(o.BaseObject)).ToArray();

        [Fact]
        public void ImportedModule_ExportsGetBlkifLayout()
        {
            using var host = PowerShellHost.WithImportedModule();
            var command = host.Script("Get-Command Get-BlkifLayout").Single().BaseObject;
            var cmdlet = Assert.IsType<CmdletInfo>(command);
            Assert.Equal(typeof(GetBlkifLayoutCommand), cmdlet.ImplementingType);
            Assert.Contains(cmdlet.OutputType, t => t.Type == typeof(BlkifFieldInfo));
        }

        [Fact]
        public void WithoutAbi_ReturnsBothAbis_X86_32First()
        {
            using var host = PowerShellHost.WithImportedModule();
            BlkifFieldInfo[] fields = Fields(host.Script("Get-BlkifLayout"));
            Assert.NotEmpty(fields);
            Assert.Equal(new[] { BlkifAbi.X86_32, BlkifAbi.X86_64 }, fields.Select(f => f.Abi).Distinct().ToArray());
            Assert.Equal(BlkifAbi.X86_32, fields[0].Abi);
        }

        [Theory]
        [InlineData("X86_64", 8, 16, 24, 112, 16)]
        [InlineData("x86_32", 4, 12, 20, 108, 12)]
        [InlineData("x86_64-abi", 8, 16, 24, 112, 16)]
        [InlineData("32", 4, 12, 20, 108, 12)]
        public void Abi_GivesTheDesignOffsets(string abi, int id, int sector, int seg, int requestSize, int responseSize)
        {
            using var host = PowerShellHost.WithImportedModule();
            BlkifFieldInfo[] fields = Fields(host.Invoke(ps => ps.AddCommand("Get-BlkifLayout").AddParameter("Abi", abi)));
            int Offset(string s, string f) => fields.Single(x => x.Structure == s && x.Field == f).Offset;
            int Size(string s, string f) => fields.Single(x => x.Structure == s && x.Field == f).Size;

            Assert.Single(fields.Select(f => f.Abi).Distinct());
            Assert.Equal(0, Offset("blkif_request", "operation"));
            Assert.Equal(id, Offset("blkif_request", "id"));
            Assert.Equal(sector, Offset("blkif_request", "sector_number"));
            Assert.Equal(seg, Offset("blkif_request", "seg"));
            Assert.Equal(requestSize, Size("blkif_request", "(size)"));
            Assert.Equal(responseSize, Size("blkif_response", "(size)"));
            Assert.Equal(64, Offset("blkif_sring", "ring"));
        }

        [Fact]
        public void PipelineByValueAndByPropertyName()
        {
            using var host = PowerShellHost.WithImportedModule();
            BlkifFieldInfo[] byValue = Fields(host.Script("'x86_64-abi' | Get-BlkifLayout"));
            BlkifFieldInfo[] byProperty = Fields(host.Script("[pscustomobject]@{ Abi = 'X86_32' } | Get-BlkifLayout"));
            Assert.All(byValue, f => Assert.Equal(BlkifAbi.X86_64, f.Abi));
            Assert.All(byProperty, f => Assert.Equal(BlkifAbi.X86_32, f.Abi));
            Assert.Equal(byValue.Length, byProperty.Length);
        }

        [Fact]
        public void UnknownAbi_IsAParameterBindingErrorNotACrash()
        {
            using var host = PowerShellHost.WithImportedModule();
            var ex = Assert.ThrowsAny<ParameterBindingException>(() => host.Invoke(ps => ps.AddCommand("Get-BlkifLayout").AddParameter("Abi", "x86_16")));
            Assert.Equal(ErrorCategory.InvalidArgument, ex.ErrorRecord.CategoryInfo.Category);
        }

        [Fact]
        public void CmdletTypeRegisteredInSessionState_Works()
        {
            using var host = PowerShellHost.WithCmdlets(("Get-BlkifLayout", typeof(GetBlkifLayoutCommand)));
            BlkifFieldInfo[] fields = Fields(host.Script("Get-BlkifLayout -Abi X86_64"));
            Assert.Contains(fields, f => f.Structure == "blkif_request" && f.Field == "id" && f.Offset == 8 && f.Size == 8);
        }

        [Fact]
        public void FormatFile_LoadsIntoASession()
        {
            InitialSessionState state = InitialSessionState.CreateDefault2();
            state.Formats.Add(new SessionStateFormatEntry(PowerShellHost.FormatFilePath));
            state.ThrowOnRunspaceOpenError = true;
            using Runspace runspace = RunspaceFactory.CreateRunspace(state);
            runspace.Open();
            Assert.Equal(RunspaceState.Opened, runspace.RunspaceStateInfo.State);
        }
    }
}

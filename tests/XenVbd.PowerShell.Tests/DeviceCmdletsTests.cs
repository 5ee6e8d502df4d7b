using System;
using System.Linq;
using System.Management.Automation;
using System.Reflection;
using XenVbd.Device;
using XenVbd.PowerShell.Cmdlets;

namespace XenVbd.PowerShell.Tests
{
    /// <summary>The device cmdlets hosted in-process: the engine objects they hand out and the session registry.</summary>
    public sealed class DeviceCmdletsTests
    {
        [Fact]
        public void NewVbdDevice_AndInvokeSrb_RoundTripThroughTheEngine()
        {
            using var host = PowerShellHost.WithImportedModule();
            var device = Assert.IsType<VbdDevice>(host.Script("New-VbdDevice -Name t0 -SizeBytes 4MB -FrontendAbi X86_64 -BackendAbi X86_32 -BackendMode Native").Single().BaseObject);
            Assert.Equal(Ring.BlkifAbi.X86_32, device.FrontendAbi);

            var write = Assert.IsType<VbdSrbResult>(host.Script("Invoke-Srb -Name t0 -Write -Lba 5 -BlockCount 2 -BufferAlignment 13").Single().BaseObject);
            Assert.True(write.Succeeded);
            Assert.True(write.BouncePasses > 0);
            var read = Assert.IsType<VbdSrbResult>(host.Script("Invoke-Srb -Name t0 -Read -Lba 5 -BlockCount 2 -BufferAlignment 13").Single().BaseObject);
            Assert.Equal(InvokeSrbCommand.Pattern(5, 2, 512, 1024), read.Data);
            Assert.Equal(true, host.Script("Test-VbdIntegrity t0").Single().BaseObject);
        }

        [Fact]
        public void LbaPastTheEnd_ReturnsTheScsiAnswer_AndANonTerminatingError()
        {
            using var host = PowerShellHost.WithImportedModule();
            host.Script("New-VbdDevice -Name t1 -SizeBytes 1MB | Out-Null");
            var output = host.Script("Invoke-Srb -Name t1 -Read -Lba 2048 -BlockCount 1", out ErrorRecord[] errors);
            var result = Assert.IsType<VbdSrbResult>(output.Single().BaseObject);
            Assert.Equal(Scsi.ScsiStatus.CheckCondition, result.ScsiStatus);
            Assert.Equal((byte)0x21, result.Asc);
            ErrorRecord error = Assert.Single(errors);
            Assert.Equal("SrbFailed," + typeof(InvokeSrbCommand).FullName, error.FullyQualifiedErrorId);
            Assert.Same(result, error.TargetObject);
        }

        [Fact]
        public void EachRunspaceHasItsOwnDevices()
        {
            using var a = PowerShellHost.WithImportedModule();
            using var b = PowerShellHost.WithImportedModule();
            a.Script("New-VbdDevice -Name only-in-a -SizeBytes 1MB | Out-Null");
            Assert.Single(a.Script("Get-VbdDevice"));
            Assert.Empty(b.Script("Get-VbdDevice"));
            b.Script("New-VbdDevice -Name only-in-a -SizeBytes 1MB | Out-Null");   // same name, other session: fine
            Assert.Single(b.Script("Get-VbdDevice"));
        }

        [Fact]
        public void RemovingTheModule_ClosesTheSessionsDevices()
        {
            using var host = PowerShellHost.WithImportedModule();
            var device = Assert.IsType<VbdDevice>(host.Script("New-VbdDevice -Name t2 -SizeBytes 1MB").Single().BaseObject);
            host.Script("Get-Module XenVbd.PowerShell | Remove-Module");
            Assert.Throws<ObjectDisposedException>(() => device.Execute(new byte[6]));
        }

        [Fact]
        public void CmdletAndResultTypes_KeepNoEngineValueTypesInFields()
        {
            // PowerShell lays out every exported type before the module initializer installs the engine
            // resolver; an engine enum or struct in a field would make Import-Module fail (see XenVbdModuleInitializer).
            Assembly engine = typeof(VbdDevice).Assembly;
            var offenders = typeof(GetBlkifLayoutCommand).Assembly.GetExportedTypes()
                .SelectMany(t => t.GetFields(BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly)
                    .Where(f => UsesEngineValueType(f.FieldType, engine))
                    .Select(f => t.Name + "." + f.Name))
                .ToArray();
            Assert.Empty(offenders);
        }

        [Fact]
        public void DeviceNameCompleter_OffersTheSessionsNames()
        {
            using var host = PowerShellHost.WithImportedModule();
            host.Script("'data', 'dump', 'log' | ForEach-Object { New-VbdDevice -Name $_ -SizeBytes 1MB } | Out-Null");
            var matches = host.Script("(TabExpansion2 -inputScript 'Invoke-Srb -Name d' -cursorColumn 18).CompletionMatches.CompletionText")
                .Select(o => (string)o.BaseObject).ToArray();
            Assert.Equal(new[] { "data", "dump" }, matches);
        }

        [Fact]
        public void Stop_EndsALongWorkloadCleanly_AndTheDeviceStaysUsable()
        {
            using var host = PowerShellHost.WithImportedModule();
            host.Script("New-VbdDevice -Name long -SizeBytes 64MB | Out-Null");
            using var ps = host.Create();
            ps.AddScript("Invoke-VbdWorkload -Name long -Count 0 -Duration 01:00:00 -QueueDepth 4");
            IAsyncResult running = ps.BeginInvoke();
            System.Threading.Thread.Sleep(500);
            var watch = System.Diagnostics.Stopwatch.StartNew();
            ps.Stop();
            Assert.True(running.AsyncWaitHandle.WaitOne(TimeSpan.FromSeconds(30)), "the workload did not stop");
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30));
            Assert.Equal(PSInvocationState.Stopped, ps.InvocationStateInfo.State);

            var after = Assert.IsType<VbdSrbResult>(host.Script("Invoke-Srb -Name long -Write -Lba 0 -BlockCount 1").Single().BaseObject);
            Assert.True(after.Succeeded);
        }

        private static bool UsesEngineValueType(Type type, Assembly engine)
        {
            if (type.IsArray || type.IsPointer || type.IsByRef)
            {
                return false;
            }

            if (type.IsValueType && type.Assembly == engine)
            {
                return true;
            }

            return type.IsGenericType && type.IsValueType && type.GetGenericArguments().Any(a => UsesEngineValueType(a, engine));
        }
    }
}

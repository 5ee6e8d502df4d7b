using System;
using System.Collections.Generic;
using System.Linq;
using XenVbd.Backend;
using XenVbd.Device;
using XenVbd.Frontend;
using XenVbd.Ring;
using XenVbd.Sim;
using XenVbd.Tests.Device;

namespace XenVbd.Tests.Frontend
{
    /// <summary>The frontend's state changes in one place, and that place records every change in the trace.</summary>
    public sealed class FrontendStateTraceTests
    {
        public static IEnumerable<object[]> AllPersonalities() => Enum.GetValues<FrontendPersonality>().Select(p => new object[] { p });

        [Theory]
        [MemberData(nameof(AllPersonalities))]
        public void Every_frontend_state_change_is_recorded_once_and_the_records_chain_to_the_state_now(FrontendPersonality p)
        {
            using var dev = VbdDevice.Create(new VbdDeviceOptions { Personality = p, SizeBytes = 8 << 20, RequestTimeout = TimeSpan.FromSeconds(1), BackendMode = BackendAbiMode.Native });
            var start = dev.State;
            dev.Host.Trace.Enabled = true;
            Assert.True(dev.Execute(Cdb.Write10(8, 8), Cdb.Pattern(4096, 1)).IsSuccess);
            dev.MigrateBackend(BlkifAbi.X86_32, BackendAbiMode.Native);
            dev.Execute(Cdb.Read10(8, 8), dataInLength: 4096);
            dev.Reset();

            var changes = dev.Host.Trace.Snapshot().Where(e => e.Kind == TraceKind.FrontendState && e.Device == dev.Frontend.DeviceId).ToList();
            Assert.True(changes.Count >= 3, "only " + changes.Count + " state changes recorded");
            var state = start;
            foreach (var change in changes)
            {
                Assert.Equal(state, (FrontendState)change.B);
                Assert.NotEqual(change.B, (ulong)change.A);
                state = (FrontendState)change.A;
            }

            Assert.Equal(dev.State, state);
            Assert.Contains(changes, c => (FrontendState)c.A == FrontendState.Disconnected);
            Assert.Contains(changes, c => (FrontendState)c.A == FrontendState.Ready);
        }

        [Theory]
        [MemberData(nameof(AllPersonalities))]
        public void A_removed_device_leaves_its_frontend_closed_and_the_trace_says_so(FrontendPersonality p)
        {
            var dev = VbdDevice.Create(new VbdDeviceOptions { Personality = p, SizeBytes = 1 << 20, BackendMode = BackendAbiMode.Native });
            var frontend = dev.Frontend;
            var trace = dev.Host.Trace;
            trace.Enabled = true;
            Assert.Equal(FrontendState.Ready, frontend.State);
            dev.Dispose();
            Assert.Equal(FrontendState.Closed, frontend.State);
            var last = trace.Snapshot().Last(e => e.Kind == TraceKind.FrontendState && e.Device == frontend.DeviceId);
            Assert.Equal(FrontendState.Ready, (FrontendState)last.B);
            Assert.Equal(FrontendState.Closed, (FrontendState)last.A);
        }
    }
}

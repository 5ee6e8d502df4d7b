using XenVbd.Xen;

namespace XenVbd.Tests.Xen
{
    public class EventChannelTests
    {
        private sealed class Counter : IEventChannelHandler
        {
            public int Calls;
            public void OnEvent(EventChannelEnd end) => Calls++;
        }

        [Fact]
        public void Notifies_before_delivery_coalesce_into_one_upcall()
        {
            var host = new XenHost();
            var ch = host.AllocateEventChannel();
            var h = new Counter();
            ch.Backend.Handler = h;
            ch.Frontend.Notify();
            ch.Frontend.Notify();
            ch.Frontend.Notify();
            host.Scheduler.RunUntilIdle();
            Assert.Equal(1, h.Calls);
            Assert.Equal(2, ch.Backend.Coalesced);
        }

        [Fact]
        public void Masked_end_delivers_on_unmask()
        {
            var host = new XenHost();
            var ch = host.AllocateEventChannel();
            var h = new Counter();
            ch.Frontend.Handler = h;
            ch.Frontend.Mask();
            ch.Backend.Notify();
            host.Scheduler.RunUntilIdle();
            Assert.Equal(0, h.Calls);
            Assert.True(ch.Frontend.Pending);
            ch.Frontend.Unmask();
            host.Scheduler.RunUntilIdle();
            Assert.Equal(1, h.Calls);
        }

        [Fact]
        public void Drop_hook_loses_the_notify_and_counts_it()
        {
            var host = new XenHost();
            var ch = host.AllocateEventChannel();
            var h = new Counter();
            ch.Backend.Handler = h;
            ch.DropHook = _ => true;
            ch.Frontend.Notify();
            host.Scheduler.RunUntilIdle();
            Assert.Equal(0, h.Calls);
            Assert.Equal(1, ch.Frontend.NotifiesDropped);
        }

        [Fact]
        public void Closed_channel_goes_nowhere()
        {
            var host = new XenHost();
            var ch = host.AllocateEventChannel();
            var h = new Counter();
            ch.Backend.Handler = h;
            host.CloseEventChannel(ch.Port);
            ch.Frontend.Notify();
            host.Scheduler.RunUntilIdle();
            Assert.Equal(0, h.Calls);
            Assert.False(host.TryGetEventChannel(ch.Port, out _));
        }
    }
}

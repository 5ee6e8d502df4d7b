using XenVbd.Frontend;
using XenVbd.Scsi;

namespace XenVbd.Tests.Frontend
{
    public sealed class SrbTests
    {
        [Fact]
        public void An_srb_completes_once_and_a_second_completion_is_refused_and_counted()
        {
            var srb = new Srb();
            srb.Prepare(new byte[] { 0, 0, 0, 0, 0, 0 }, 0, 0, DataDirection.None);
            int calls = 0;
            srb.Completed = _ => calls++;
            Assert.True(srb.TryComplete(SrbStatus.Success, ScsiStatus.Good, 5));
            Assert.False(srb.TryComplete(SrbStatus.BusReset, ScsiStatus.Good, 6));
            Assert.False(srb.TryCompleteWithSense(SenseInfo.LbaOutOfRange(), 7));
            Assert.Equal(SrbStatus.Success, srb.SrbStatus);
            Assert.Equal(5, srb.CompleteTicks);
            Assert.Equal(2, srb.ExtraCompletionAttempts);
            Assert.Equal(0, srb.SenseLength);
        }

        [Fact]
        public void Prepare_resets_results_for_reuse()
        {
            var srb = new Srb();
            srb.Prepare(new byte[] { 0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0 }, 0x2000, 512, DataDirection.In);
            srb.TryCompleteWithSense(SenseInfo.LbaOutOfRange(), 1);
            Assert.Equal(18, srb.SenseLength);
            srb.Prepare(new byte[] { 0, 0, 0, 0, 0, 0 }, 0, 0, DataDirection.None);
            Assert.Equal(SrbStatus.Pending, srb.SrbStatus);
            Assert.Equal(0, srb.SenseLength);
            Assert.Equal(6, srb.CdbLength);
            Assert.Equal(0, srb.ExtraCompletionAttempts);
        }
    }
}

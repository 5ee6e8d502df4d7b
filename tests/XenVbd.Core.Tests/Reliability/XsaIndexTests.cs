using System.Linq;
using System.Reflection;

namespace XenVbd.Tests.Reliability
{
    /// <summary>
    /// One named regression per XSA (docs/PROTOCOL.md, "Security history"). Where another layer's suite already
    /// has the test, it is referenced here rather than duplicated; this test fails if a referenced test is
    /// renamed or removed, so docs/RELIABILITY.md's table cannot rot silently.
    /// </summary>
    public class XsaIndexTests
    {
        public static readonly (string Xsa, string Test)[] Index =
        {
            ("XSA-155", "XenVbd.Tests.Backend.SecurityHistoryTests.Xsa155_rewriting_the_slot_after_the_backend_read_it_changes_nothing"),
            ("XSA-216", "XenVbd.Tests.Backend.SecurityHistoryTests.Xsa216_response_padding_is_zero_and_bytes_past_the_response_are_not_written"),
            ("XSA-332/391", "XenVbd.Tests.Backend.SecurityHistoryTests.Spurious_events_are_counted_backed_off_and_do_not_stop_real_work"),
            ("XSA-350", "XenVbd.Tests.Reliability.Xsa350BackendTests.Xsa350_xenbus_state_flapping_from_the_frontend_leaves_blkback_consistent"),
            ("XSA-350", "XenVbd.Tests.Reliability.Xsa350BackendTests.Xsa350_hostile_xenstore_values_at_connect_fail_cleanly"),
            ("XSA-365", "XenVbd.Tests.Backend.ValidationTests.Grant_map_failure_fails_only_that_request"),
            ("XSA-396", "XenVbd.Tests.Reliability.XsaGrantTests.Xsa396_a_grant_the_backend_keeps_mapped_cannot_be_ended_or_reused"),
            ("XSA-396", "XenVbd.Tests.Reliability.XsaFrontendTests.Xsa396_the_frontend_does_not_reuse_a_page_the_backend_keeps_mapped"),
            ("XSA-403", "XenVbd.Tests.Reliability.XsaFrontendTests.Xsa403_bounce_pages_show_the_backend_nothing_but_the_transfer"),
            ("XSA-403", "XenVbd.Tests.Reliability.XsaFrontendTests.Xsa403_an_untrusted_backend_never_sees_the_guests_buffers"),
            ("XSA-403", "XenVbd.Tests.Reliability.XsaFrontendTests.Xsa403_ring_and_check_read_pages_are_zeroed_before_they_are_granted"),
        };

        [Fact]
        public void Every_xsa_has_a_named_regression_test_that_exists()
        {
            var asm = typeof(XsaIndexTests).Assembly;
            foreach (var (xsa, test) in Index)
            {
                int dot = test.LastIndexOf('.');
                var type = asm.GetType(test.Substring(0, dot));
                Assert.True(type != null, xsa + ": no class " + test.Substring(0, dot));
                var method = type!.GetMethod(test.Substring(dot + 1), BindingFlags.Public | BindingFlags.Instance);
                Assert.True(method != null && method.GetCustomAttributes().Any(a => a is FactAttribute || a is TheoryAttribute), xsa + ": no test " + test);
            }
        }
    }
}

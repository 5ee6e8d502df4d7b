using System;
using System.Globalization;

namespace XenVbd.Sim
{
    /// <summary>
    /// The one range every TimeSpan a user gives the engine must lie in (timeouts, service times, fault
    /// delays and windows): 0 to 365 days of virtual time. Virtual time is a long of 100-ns ticks; a
    /// year per input keeps every sum the engine forms (now + timeout, service time per request over a
    /// long run) tens of thousands of years from wrapping, and <see cref="Add"/> saturates the rest, so
    /// virtual time never wraps: a TimeSpan.MaxValue timeout used to become a negative deadline
    /// (a latency of -2,668,799 days, a delay that was "instant").
    /// </summary>
    public static class VirtualTimeLimit
    {
        /// <summary>The longest TimeSpan an input may be.</summary>
        public static readonly TimeSpan Max = TimeSpan.FromDays(365);

        /// <summary>The range as users read it in messages.</summary>
        public static string Range => "0 to " + Max.ToString("c", CultureInfo.InvariantCulture) + " (365 days)";

        /// <summary>Throws an ArgumentOutOfRangeException naming <paramref name="name"/> unless 0 &lt;= value &lt;= <see cref="Max"/> (positive: &gt; 0).</summary>
        public static void Check(TimeSpan value, string name, bool positive = false)
        {
            if (value < TimeSpan.Zero || value > Max || (positive && value == TimeSpan.Zero))
            {
                throw new ArgumentOutOfRangeException(name, value,
                    name + " " + value.ToString("c", CultureInfo.InvariantCulture) + " is outside the virtual-time range "
                    + (positive ? "above 0 up to " + Max.ToString("c", CultureInfo.InvariantCulture) + " (365 days)" : Range) + ".");
            }
        }

        /// <summary>now + delay, saturating at long.MaxValue instead of wrapping negative.</summary>
        public static long Add(long now, long delayTicks)
        {
            if (delayTicks <= 0) return now;
            return delayTicks > long.MaxValue - now ? long.MaxValue : now + delayTicks;
        }
    }
}

using System.Collections.Generic;
using XenVbd.Frontend;

namespace XenVbd.Device
{
    /// <summary>The frontend personalities a device can be created with (Get-VbdPersonality, tab completion).</summary>
    public static class DevicePersonalities
    {
        /// <summary>Every frontend personality, each with its behaviours and their sources.</summary>
        public static IReadOnlyList<FrontendBehaviours> Frontends => FrontendPersonalities.All;

        /// <summary>The personality a device gets when none is named (<see cref="FrontendOptions.DefaultPersonality"/>).</summary>
        public static FrontendPersonality Default => FrontendOptions.DefaultPersonality;

        /// <summary>One personality's behaviours, with their sources.</summary>
        public static FrontendBehaviours For(FrontendPersonality personality) => FrontendPersonalities.For(personality);
    }
}

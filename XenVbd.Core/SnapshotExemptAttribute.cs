using System;

namespace XenVbd
{
    /// <summary>
    /// A field a device snapshot neither copies nor restores: a cache that is meant to outlive a restore (the
    /// in-memory disk's recycled chunks), never state the simulation can observe.
    /// </summary>
    [AttributeUsage(AttributeTargets.Field, Inherited = false)]
    internal sealed class SnapshotExemptAttribute : Attribute
    {
    }
}

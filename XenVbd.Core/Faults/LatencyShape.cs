namespace XenVbd.Faults
{
    /// <summary>The shape of an injected delay; Pareto gives the long tail real storage shows under contention.</summary>
    public enum LatencyShape
    {
        Fixed,
        Uniform,
        Exponential,
        Pareto,
    }
}

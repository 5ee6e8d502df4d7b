namespace XenVbd.Lab
{
    /// <summary>One point of a lab's own plot series (e.g. series "PerSrb", x = transfer bytes, y = µs per op).</summary>
    public readonly record struct LabPoint(string Plot, string Series, double X, double Y);
}

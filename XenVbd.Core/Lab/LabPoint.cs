namespace XenVbd.Lab
{
    /// <summary>One point of a lab's own plot series (e.g. series "PerSrb", x = transfer bytes, y = µs per op).</summary>
    public readonly struct LabPoint
    {
        public LabPoint(string plot, string series, double x, double y)
        {
            Plot = plot;
            Series = series;
            X = x;
            Y = y;
        }

        public string Plot { get; }
        public string Series { get; }
        public double X { get; }
        public double Y { get; }
    }
}

namespace XenVbd.Reports
{
    /// <summary>One line of a <see cref="ChartSpec"/>: a value (or a gap) per x of the chart.</summary>
    public sealed class SeriesSpec
    {
        public SeriesSpec(string label, double?[] y)
        {
            Label = label;
            Y = y;
        }

        public string Label { get; }
        public double?[] Y { get; }

        /// <summary>1 for the left y axis, 2 for the right one.</summary>
        public int Axis { get; init; } = 1;

        /// <summary>A fixed colour; null lets the page pick one from the series' place in the chart.</summary>
        public string? Color { get; init; }
    }
}

using System.Collections.Generic;
using System.Linq;

namespace XenVbd.Reports
{
    /// <summary>One chart of the report as the page's script draws it: a shared x grid, the series on it, and its axes.</summary>
    public sealed class ChartSpec
    {
        public ChartSpec(string title, string xLabel, string xUnit, string yLabel, string yUnit, double[] x, IReadOnlyList<SeriesSpec> series)
        {
            Title = title;
            XLabel = xLabel;
            XUnit = xUnit;
            YLabel = yLabel;
            YUnit = yUnit;
            X = x;
            Series = series;
        }

        public string Title { get; }
        public string XLabel { get; }

        /// <summary>How the page formats x values: us, ms, bytes, pct or count.</summary>
        public string XUnit { get; }
        public string YLabel { get; }
        public string YUnit { get; }
        public double[] X { get; }
        public IReadOnlyList<SeriesSpec> Series { get; }
        public bool XLog { get; init; }
        public bool YLog { get; init; }

        /// <summary>Draw each curve as steps (a cumulative distribution).</summary>
        public bool Stepped { get; init; }

        /// <summary>Mark every data point (few points per series).</summary>
        public bool Points { get; init; }

        /// <summary>A second y axis on the right, for series with <see cref="SeriesSpec.Axis"/> 2.</summary>
        public string? Y2Label { get; init; }
        public string? Y2Unit { get; init; }
        public int Height { get; init; } = 320;

        /// <summary>What the reader should know to read the chart (shown beside it).</summary>
        public string Caption { get; init; } = string.Empty;

        internal object ToJson() => new
        {
            title = Title,
            xLabel = XLabel,
            xUnit = XUnit,
            yLabel = YLabel,
            yUnit = YUnit,
            y2Label = Y2Label,
            y2Unit = Y2Unit,
            xLog = XLog,
            yLog = YLog,
            stepped = Stepped,
            points = Points,
            height = Height,
            x = X,
            series = Series.Select(s => new { label = s.Label, y = s.Y, axis = s.Axis, color = s.Color }).ToArray(),
        };
    }
}

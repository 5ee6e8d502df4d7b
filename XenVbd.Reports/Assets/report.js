// Draws the lab report's charts with uPlot (embedded above this script). Each chart's data sits in a
// <script type="application/json" class="chart-data"> next to its <div class="chart">. Every series is drawn
// (click a legend entry to hide or show it; "all" / "none" act on the whole chart); hovering shows each
// series' value at the cursor in the legend. Axes are chosen per chart by the writer (log or linear).
(function () {
  "use strict";
  var errors = [];
  window.addEventListener("error", function (e) { errors.push(String(e.message)); report(); });

  function report() {
    var sink = document.getElementById("render-status");
    if (!sink) return;
    sink.setAttribute("data-charts", String(document.querySelectorAll(".chart .uplot").length));
    sink.setAttribute("data-errors", String(errors.length));
    sink.textContent = errors.join("\n");
  }

  function color(i, n) {
    // Evenly spaced hues with alternating lightness, so neighbours in the legend differ.
    var hue = Math.round((i * 360 / Math.max(n, 1) + (i % 2) * 17) % 360);
    var light = i % 3 === 0 ? 38 : i % 3 === 1 ? 50 : 30;
    return "hsl(" + hue + ",70%," + light + "%)";
  }

  // Three significant digits without trailing zeros: 1 KiB, 9.77 KiB, 22.4 µs.
  function num(v) { return String(parseFloat(v.toPrecision(3))); }

  function fmt(unit) {
    return function (v) {
      if (v == null || !isFinite(v)) return "";
      var a = Math.abs(v);
      if (unit === "us") return a >= 1e6 ? num(v / 1e6) + " s" : a >= 1e3 ? num(v / 1e3) + " ms" : num(v) + " µs";
      if (unit === "ms") return a >= 1e3 ? num(v / 1e3) + " s" : num(v) + " ms";
      if (unit === "bytes") return a >= 1048576 ? num(v / 1048576) + " MiB" : a >= 1024 ? num(v / 1024) + " KiB" : Math.round(v) + " B";
      if (unit === "pct") return num(v) + " %";
      return a >= 1e6 ? num(v / 1e6) + "M" : a >= 1e3 ? num(v / 1e3) + "k" : num(v);
    };
  }

  function draw(holder, spec) {
    var n = spec.series.length;
    var width = Math.max(280, holder.clientWidth || 700);
    var series = [{ label: spec.xLabel, value: function (u, v) { return fmt(spec.xUnit)(v); } }];
    // Sizes double (512 B .. 1 MiB): base 2 puts a labelled tick on each; times and costs use decades.
    var scales = { x: { time: false, distr: spec.xLog ? 3 : 1, log: spec.xUnit === "bytes" ? 2 : 10 }, y: { distr: spec.yLog ? 3 : 1, log: spec.yUnit === "bytes" ? 2 : 10 } };
    var axes = [
      { label: spec.xLabel, values: function (u, vals) { return vals.map(fmt(spec.xUnit)); }, size: 40 },
      { label: spec.yLabel, values: function (u, vals) { return vals.map(fmt(spec.yUnit)); }, size: 64 },
    ];
    if (spec.y2Label) {
      scales.y2 = { distr: 1 };
      axes.push({ scale: "y2", side: 1, label: spec.y2Label, grid: { show: false }, values: function (u, vals) { return vals.map(fmt(spec.y2Unit)); }, size: 50 });
    }
    spec.series.forEach(function (s, i) {
      var unit = s.axis === 2 ? spec.y2Unit : spec.yUnit;
      series.push({
        label: s.label,
        scale: s.axis === 2 ? "y2" : "y",
        stroke: s.color || color(i, n),
        width: 1.6,
        spanGaps: true,
        points: { show: spec.points === true, size: 5 },
        paths: spec.stepped ? uPlot.paths.stepped({ align: 1 }) : undefined,
        value: (function (f) { return function (u, v) { return f(v); }; })(fmt(unit)),
      });
    });
    var opts = {
      width: width,
      height: spec.height || 320,
      title: spec.title,
      scales: scales,
      axes: axes,
      series: series,
      cursor: { focus: { prox: 16 } },
      focus: { alpha: 0.35 },
      legend: { live: true },
    };
    var data = [spec.x].concat(spec.series.map(function (s) { return s.y; }));
    var plot = new uPlot(opts, data, holder);
    if (n > 1) {
      var bar = document.createElement("div");
      bar.className = "toggles";
      [["all", true], ["none", false]].forEach(function (b) {
        var button = document.createElement("button");
        button.type = "button";
        button.textContent = b[0];
        button.addEventListener("click", function () {
          for (var i = 1; i <= n; i++) plot.setSeries(i, { show: b[1] });
        });
        bar.appendChild(button);
      });
      holder.insertBefore(bar, holder.firstChild);
    }
    return plot;
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".chart").forEach(function (holder) {
      try {
        var spec = JSON.parse(document.getElementById(holder.getAttribute("data-spec")).textContent);
        draw(holder, spec);
      } catch (e) {
        errors.push(holder.getAttribute("data-spec") + ": " + e);
      }
    });
    report();
  });
})();

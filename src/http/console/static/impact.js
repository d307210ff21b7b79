// The impact page's chart (uPlot) from the figures the page carries as JSON, and its print
// button. Without this script the table and the CSV still say everything.
(function () {
  "use strict";
  var print = document.getElementById("print");
  if (print) {
    print.addEventListener("click", function () { window.print(); });
  }
  var source = document.getElementById("impact-data");
  var target = document.getElementById("impact-chart");
  if (!source || !target || typeof uPlot === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var xs = data.labels.map(function (_, i) { return i; });
  var colours = ["#0b5394", "#1d5e20", "#8a1c1c", "#7a4f00"];
  var options = {
    width: Math.min(target.clientWidth || 900, 1100),
    height: 320,
    scales: { x: { time: false } },
    axes: [
      {
        values: function (_, ticks) {
          return ticks.map(function (t) { return data.labels[t] === undefined ? "" : data.labels[t]; });
        },
        splits: function () { return xs; },
      },
      {},
    ],
    series: [{}].concat(data.series.map(function (s, i) {
      return { label: s.label, stroke: colours[i % colours.length], width: 3, points: { size: 8 } };
    })),
  };
  new uPlot(options, [xs].concat(data.series.map(function (s) { return s.values; })), target);
})();

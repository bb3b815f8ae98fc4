// Supervision charts (ECharts, served locally). Reads the JSON in #cockpit-data's data-chart
// attribute (no inline script: CSP script-src 'self') and draws: a 13-month trend per
// headline indicator against the same month a year before, and alert counts by severity
// (pie) and by status (stacked bar). Each chart element gets data-ready="true" when drawn.
(function () {
  var COLORS = { red: "#c62828", orange: "#ef6c00", yellow: "#f9a825" };
  function scale(unit) { return unit === "元" ? 1e8 : 1; }
  function shown(unit) { return unit === "元" ? "亿元" : unit; }
  function num(v, unit) { return v === null || v === undefined ? null : +(v / scale(unit)).toFixed(2); }
  function trend(el, data) {
    var h = (data.headlines || []).filter(function (x) { return x.code === el.dataset.code; })[0];
    if (!h) return;
    var L = data.labels || {};
    var chart = echarts.init(el, null, { renderer: "canvas" });
    chart.setOption({
      animation: false,
      grid: { left: 48, right: 8, top: 22, bottom: 20 },
      tooltip: { trigger: "axis", valueFormatter: function (v) { return v === null ? "—" : v + " " + shown(h.unit); } },
      legend: { top: 0, right: 0, textStyle: { fontSize: 10 }, itemHeight: 8 },
      xAxis: { type: "category", data: h.trend.map(function (p) { return p.period; }), axisLabel: { fontSize: 9 } },
      yAxis: { type: "value", scale: true, axisLabel: { fontSize: 9 } },
      series: [
        { name: L.value, type: "line", data: h.trend.map(function (p) { return num(p.value, h.unit); }), symbolSize: 4, itemStyle: { color: "#b71c1c" } },
        { name: L.reference, type: "line", data: h.trend.map(function (p) { return num(p.reference, h.unit); }), symbolSize: 3, lineStyle: { type: "dashed" }, itemStyle: { color: "#9ca3af" } },
      ],
    });
    return chart;
  }
  function severity(el, data) {
    var a = data.alerts, L = data.labels;
    var chart = echarts.init(el, null, { renderer: "canvas" });
    chart.setOption({
      animation: false,
      title: { text: L.by_severity, textStyle: { fontSize: 13 } },
      tooltip: { trigger: "item" },
      series: [{ type: "pie", radius: ["35%", "65%"], top: 20,
        data: Object.keys(COLORS).map(function (s) { return { name: L.severities[s], value: a.by_severity[s] || 0, itemStyle: { color: COLORS[s] } }; }) }],
    });
    return chart;
  }
  function status(el, data) {
    var a = data.alerts, L = data.labels;
    var states = Object.keys(a.by_status_severity);
    var chart = echarts.init(el, null, { renderer: "canvas" });
    chart.setOption({
      animation: false,
      title: { text: L.by_status, textStyle: { fontSize: 13 } },
      tooltip: { trigger: "axis" },
      legend: { top: 0, right: 0 },
      grid: { left: 48, right: 8, top: 40, bottom: 24 },
      xAxis: { type: "category", data: states.map(function (s) { return L.states[s] || s; }) },
      yAxis: { type: "value" },
      series: Object.keys(COLORS).map(function (s) {
        return { name: L.severities[s], type: "bar", stack: "all", itemStyle: { color: COLORS[s] },
          data: states.map(function (st) { return a.by_status_severity[st][s] || 0; }) };
      }),
    });
    return chart;
  }
  function boot() {
    var holder = document.getElementById("cockpit-data");
    if (!holder || typeof echarts === "undefined") return;
    var data = JSON.parse(holder.dataset.chart);
    var draw = { trend: trend, severity: severity, status: status };
    var charts = [];
    document.querySelectorAll("[data-chart-kind]").forEach(function (el) {
      var chart = draw[el.dataset.chartKind](el, data);
      if (chart) charts.push(chart);
      el.dataset.ready = "true";
    });
    window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", boot);
  else boot();
})();

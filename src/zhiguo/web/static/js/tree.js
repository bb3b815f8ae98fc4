// Ownership tree (ECharts, served locally). Reads data-src (a TreeNode JSON endpoint),
// renders a collapsible tree; double-click a node to open that enterprise.
(function () {
  function toSeries(node, rootLabel) {
    var label = node.name || rootLabel || "";
    if (node.truncated) label += " …";
    return {
      name: label,
      uscc: node.uscc,
      value: node.descendants,
      children: (node.children || []).map(function (c) { return toSeries(c); }),
    };
  }
  function count(n) {
    return 1 + (n.children || []).reduce(function (a, c) { return a + count(c); }, 0);
  }
  function render(el) {
    var url = el.dataset.src;
    var picker = el.dataset.asOfInput && document.getElementById(el.dataset.asOfInput);
    if (picker && picker.value) url += (url.indexOf("?") < 0 ? "?" : "&") + "as_of=" + picker.value;
    el.dataset.treeReady = "loading";
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (data) {
        var root = toSeries(data, el.dataset.rootLabel);
        var nodes = count(root);
        el.style.height = Math.max(420, Math.min(2400, (data.children || []).length * 26)) + "px";
        var chart = echarts.getInstanceByDom(el) || echarts.init(el, null, { renderer: "canvas" });
        chart.clear();
        chart.setOption({
          tooltip: { trigger: "item", formatter: function (p) {
            // Names come from imported files: escape before ECharts renders them as HTML.
            var esc = echarts.format.encodeHTML;
            return esc(p.data.name) + (p.data.uscc ? "<br>" + esc(p.data.uscc) : "") +
              "<br>" + Number(p.data.value || 0) + " ↓"; } },
          series: [{
            type: "tree", data: [root], orient: "LR", roam: true,
            top: "2%", left: "12%", bottom: "2%", right: "22%",
            symbolSize: 8, initialTreeDepth: 1, expandAndCollapse: true,
            label: { position: "left", verticalAlign: "middle", align: "right", fontSize: 12 },
            leaves: { label: { position: "right", align: "left" } },
            animationDuration: 300,
          }],
        });
        chart.off("dblclick");
        chart.on("dblclick", function (p) {
          if (p.data && p.data.uscc) window.location.href = "/enterprises/" + p.data.uscc;
        });
        if (!el.dataset.bound) {
          window.addEventListener("resize", function () { chart.resize(); });
          if (picker) picker.addEventListener("change", function () { render(el); });
          el.dataset.bound = "1";
        }
        chart.resize();
        el.dataset.treeReady = "true";
        el.dataset.nodes = String(nodes);
      })
      .catch(function (err) {
        el.textContent = "无法加载产权树 / Cannot load the tree: " + err.message;
        el.dataset.treeReady = "error";
      });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-src].chart").forEach(render);
  });
})();

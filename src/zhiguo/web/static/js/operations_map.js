// The operations map (智慧运营 · 站址地图): ECharts over the city's district outlines, offline
// (no tile server). Reads its URLs and texts from #ops-map's data-* attributes (CSP
// script-src 'self': no inline script) and fetches:
//   districts  GET  data-districts-url (WGS84 GeoJSON)      → echarts.registerMap + a `geo`
//   sites      GET  data-sites-url (GeoJSON points)          → a scatter series per site type
//                                                              (own symbol), coloured by status
//   coverage   GET  data-coverage-url?limit=1&band=…         → the heat-map PNG as a custom
//                                                              series image over bounds_lonlat
//   plan       GET  data-plans-url?limit=1, then …/{id}      → the chosen sites (new / pinned)
//              POST data-plans-url (the form)                  and the side panel
// "None yet" is an empty list (no 404: that would count as a denied request for intrusion
// detection). A missing or forbidden layer (empty/403) leaves a message, never a broken page. State for
// tests and people: data-state, data-districts-count, data-sites-count, data-heatmap
// (none|loading|loaded|absent|forbidden|error), data-plan-status (none|running|done|absent|
// forbidden|error), data-plan-id, data-plan-chosen, data-plan-gap on #ops-map.
(function () {
  "use strict";
  var MAP = "zhiguo-city";
  var TYPES = ["rooftop", "smart_pole", "hub", "park", "tower", "indoor"];
  var SYMBOLS = { rooftop: "rect", smart_pole: "circle", hub: "diamond", park: "triangle", tower: "pin", indoor: "roundRect" };
  var STATUSES = ["available", "reserved", "leased", "in_service", "unavailable"];
  var STATUS_COLORS = { available: "#2e7d32", reserved: "#f9a825", leased: "#1565c0", in_service: "#6a1b9a", unavailable: "#9e9e9e" };

  var root, chart, L, state;

  function text(key) { return (L && L[key]) || key; }
  function set(name, value) { root.dataset[name] = String(value); }
  function byId(id) { return document.getElementById(id); }
  function message(id, value) { var el = byId(id); if (el) el.textContent = value || ""; }
  function pct(v, digits) { return v === null || v === undefined ? "—" : (v * 100).toFixed(digits === undefined ? 1 : digits) + "%"; }
  function money(v) { return v === null || v === undefined ? "—" : Number(v).toLocaleString(root.dataset.lang === "zh" ? "zh-CN" : "en-US", { maximumFractionDigits: 0 }); }
  function num(v) { return v === null || v === undefined ? "—" : Number(v).toLocaleString(root.dataset.lang === "zh" ? "zh-CN" : "en-US", { maximumFractionDigits: 2 }); }

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  // fetch → {status, body}; body is the parsed JSON (or null); never throws.
  function getJSON(url, init) {
    init = init || {};
    init.credentials = "same-origin";
    init.headers = Object.assign({ Accept: "application/json" }, init.headers || {});
    return fetch(url, init).then(function (response) {
      return response.text().then(function (raw) {
        var body = null;
        try { body = raw ? JSON.parse(raw) : null; } catch (e) { body = null; }
        return { status: response.status, body: body };
      });
    }).catch(function () { return { status: 0, body: null }; });
  }

  function problemText(result) {
    var b = result.body || {};
    var msg = root.dataset.lang === "zh" ? b.message_zh : b.message_en;
    var out = msg || b.detail || b.title || ("HTTP " + result.status);
    if (Array.isArray(b.problems) && b.problems.length) {
      out += (root.dataset.lang === "zh" ? "：" : ": ") + b.problems.slice(0, 3).map(function (p) {
        return (root.dataset.lang === "zh" ? p.message_zh : p.message_en) || p.message || p.code;
      }).join("；");
    }
    return out;
  }

  // ------------------------------------------------------------------ series builders

  function siteSeries() {
    var groups = {};
    state.sites.forEach(function (f) {
      var p = f.properties || {};
      var type = TYPES.indexOf(p.site_type) >= 0 ? p.site_type : "rooftop";
      (groups[type] = groups[type] || []).push({
        name: (root.dataset.lang === "zh" ? p.name : p.name_en || p.name) || p.code,
        value: [f.geometry.coordinates[0], f.geometry.coordinates[1]],
        site: p,
        itemStyle: { color: STATUS_COLORS[p.status] || "#555" },
      });
    });
    return TYPES.filter(function (t) { return groups[t]; }).map(function (t) {
      return {
        id: "sites-" + t, name: text("type." + t), type: "scatter", coordinateSystem: "geo", geoIndex: 0,
        symbol: SYMBOLS[t], symbolSize: t === "tower" ? 13 : 8, z: 3,
        itemStyle: { color: "#4b5563", borderColor: "#fff", borderWidth: 0.6, opacity: 0.9 },
        emphasis: { scale: 1.6 },
        data: groups[t],
      };
    });
  }

  function heatmapSeries() {
    if (!state.coverage || !state.heatImage) return [];
    var b = state.coverage.bounds_lonlat;
    return [{
      id: "heatmap", name: text("heatmap"), type: "custom", coordinateSystem: "geo", geoIndex: 0, z: 2,
      silent: true, clip: false, itemStyle: { color: "#ef6c00" },
      data: [[(b[0] + b[2]) / 2, (b[1] + b[3]) / 2]],
      renderItem: function (params, api) {
        var nw = api.coord([b[0], b[3]]);
        var se = api.coord([b[2], b[1]]);
        return {
          type: "image", silent: true,
          style: { image: state.heatImage, x: nw[0], y: nw[1], width: se[0] - nw[0], height: se[1] - nw[1], opacity: 0.6 },
        };
      },
    }];
  }

  function planSeries() {
    if (!state.plan) return [];
    var chosen = state.plan.chosen || [];
    function layer(pinned) {
      return chosen.filter(function (c) { return !!c.pinned === pinned; }).map(function (c) {
        return { name: c.name || c.code, value: [c.lon, c.lat], chosen: c };
      });
    }
    return [
      { id: "plan-new", name: text("legend.plan_new"), type: "effectScatter", coordinateSystem: "geo", geoIndex: 0, z: 5,
        symbol: "circle", symbolSize: 14, rippleEffect: { scale: 2.2, brushType: "stroke" }, showEffectOn: "render",
        itemStyle: { color: "rgba(183,28,28,0.15)", borderColor: "#b71c1c", borderWidth: 2 }, data: layer(false) },
      { id: "plan-pinned", name: text("legend.plan_pinned"), type: "scatter", coordinateSystem: "geo", geoIndex: 0, z: 4,
        symbol: "circle", symbolSize: 14,
        itemStyle: { color: "rgba(106,27,154,0.12)", borderColor: "#6a1b9a", borderWidth: 2 }, data: layer(true) },
    ];
  }

  function redraw() {
    if (!state.mapReady) return;
    var series = heatmapSeries().concat(siteSeries(), planSeries());
    var selected = {};
    selected[text("heatmap")] = byId("ops-heatmap-toggle") ? byId("ops-heatmap-toggle").checked : true;
    chart.setOption({
      legend: { type: "scroll", orient: "horizontal", bottom: 4, left: 8, right: 8, textStyle: { fontSize: 11 },
        data: series.map(function (s) { return s.name; }), selected: selected },
      series: series,
    }, { replaceMerge: ["series"] });
  }

  function tooltip(params) {
    var d = params.data || {};
    var esc = echarts.format.encodeHTML;
    if (d.site) {
      var p = d.site;
      return "<b>" + esc(params.name) + "</b> <span style='color:#888'>" + esc(p.code || "") + "</span><br>" +
        esc(text("type." + p.site_type)) + " · " + esc(text("status." + p.status)) +
        (p.height_m !== undefined && p.height_m !== null ? " · " + esc(num(p.height_m)) + " m" : "") +
        (p.enterprise ? "<br>" + esc(p.enterprise) : "") + (p.district ? " · " + esc(p.district) : "");
    }
    if (d.chosen) {
      var c = d.chosen;
      return "<b>" + esc(params.name) + "</b> <span style='color:#888'>" + esc(c.code || "") + "</span><br>" +
        esc(c.pinned ? text("plan.pinned") : text("plan.new")) + " · " + esc(money(c.cost)) + " " + (root.dataset.lang === "zh" ? "元/年" : "CNY/yr");
    }
    return esc(params.name || "");
  }

  // ------------------------------------------------------------------ layers

  function loadDistricts() {
    return getJSON(root.dataset.districtsUrl).then(function (r) {
      if (r.status !== 200 || !r.body || !r.body.features) {
        message("ops-map-message", text("districts.error") + " (" + r.status + ")");
        set("state", "error");
        return false;
      }
      var geo = r.body;
      if (root.dataset.lang !== "zh") {
        geo.features.forEach(function (f) { f.properties.name = f.properties.name_en || f.properties.name; });
      }
      echarts.registerMap(MAP, geo);
      var bb = bbox(geo);
      var midLat = (bb[1] + bb[3]) / 2;
      chart.setOption({
        animation: false,
        tooltip: { trigger: "item", formatter: tooltip, confine: true },
        geo: {
          map: MAP, roam: true, aspectScale: Math.cos(midLat * Math.PI / 180), scaleLimit: { min: 0.8, max: 40 },
          top: 12, bottom: 44, left: 12, right: 12,
          label: { show: true, color: "#475569", fontSize: 11 },
          itemStyle: { areaColor: "#f8fafc", borderColor: "#64748b", borderWidth: 1 },
          emphasis: { label: { color: "#1f2937" }, itemStyle: { areaColor: "#e2e8f0" } },
          select: { disabled: true },
          tooltip: { show: false },
        },
        series: [],
      });
      set("districtsCount", geo.features.length);
      state.mapReady = true;
      return true;
    });
  }

  function bbox(geo) {
    var b = [Infinity, Infinity, -Infinity, -Infinity];
    function walk(c) {
      if (typeof c[0] === "number") {
        b[0] = Math.min(b[0], c[0]); b[1] = Math.min(b[1], c[1]); b[2] = Math.max(b[2], c[0]); b[3] = Math.max(b[3], c[1]);
      } else c.forEach(walk);
    }
    geo.features.forEach(function (f) { if (f.geometry) walk(f.geometry.coordinates); });
    return b;
  }

  function loadSites() {
    return getJSON(root.dataset.sitesUrl).then(function (r) {
      if (r.status === 200 && r.body && Array.isArray(r.body.features)) {
        state.sites = r.body.features.filter(function (f) { return f.geometry && f.geometry.type === "Point"; });
        message("ops-sites-message", state.sites.length ? "" : text("sites.none"));
      } else {
        state.sites = [];
        message("ops-sites-message", text("sites.error") + (root.dataset.lang === "zh" ? "：" : ": ") + problemText(r));
      }
      byId("ops-sites-count").textContent = String(state.sites.length);
      set("sitesCount", state.sites.length);
    });
  }

  function loadCoverage() {
    if (root.dataset.regulator !== "true") {  // coverage runs are the regulator's (no 403 asked for)
      set("heatmap", "forbidden"); message("ops-coverage-message", text("coverage.forbidden"));
      return Promise.resolve();
    }
    var band = byId("ops-coverage-band").value;
    state.coverage = null;
    state.heatImage = null;
    set("heatmap", "loading");
    byId("ops-coverage-facts").hidden = true;
    // The runs list (newest first), not .../latest: "none yet" is an empty list, not a 404
    // (a 404 counts as a denied request for intrusion detection).
    return getJSON(root.dataset.coverageUrl + "?limit=1&band=" + encodeURIComponent(band)).then(function (r) {
      if (r.status === 403) { set("heatmap", "forbidden"); message("ops-coverage-message", text("coverage.forbidden")); return; }
      if (r.status === 200 && Array.isArray(r.body) && !r.body.length) {
        set("heatmap", "absent"); message("ops-coverage-message", text("coverage.none")); return;
      }
      var run = r.status === 200 && Array.isArray(r.body) ? r.body[0] : null;
      if (!run || !run.heatmap_png || !run.bounds_lonlat) {
        set("heatmap", "error"); message("ops-coverage-message", problemText(r)); return;
      }
      showCoverage(run);
      return new Promise(function (resolve) {
        var img = new Image();
        img.onload = function () {
          state.coverage = run; state.heatImage = img; set("heatmap", "loaded"); message("ops-coverage-message", ""); resolve();
        };
        img.onerror = function () { set("heatmap", "error"); message("ops-coverage-message", "heat map: HTTP error"); resolve(); };
        img.src = run.heatmap_png;
      });
    });
  }

  function showCoverage(run) {
    var facts = byId("ops-coverage-facts");
    var s = run.summary || {};
    fill(facts, {
      band: run.band, area_share: pct(s.area_share), demand_share: pct(s.demand_share),
      created_at: (run.created_at || "").replace("T", " ").slice(0, 16),
    });
    facts.hidden = false;
  }

  function fill(container, values) {
    Object.keys(values).forEach(function (k) {
      var el = container.querySelector('[data-field="' + k + '"]');
      if (el) el.textContent = values[k] === null || values[k] === undefined ? "—" : String(values[k]);
    });
  }

  function showPlan(plan) {
    state.plan = plan;
    var chosen = plan.chosen || [];
    var pinned = chosen.filter(function (c) { return c.pinned; }).length;
    var facts = byId("ops-plan-facts");
    var greedy = plan.greedy_gap === null || plan.greedy_gap === undefined ? "—"
      : pct(plan.greedy_gap, 2) + (plan.greedy_cost !== null && plan.greedy_cost !== undefined ? " (" + money(plan.greedy_cost) + ")" : "");
    fill(facts, {
      id: plan.id,
      mode: text("plan." + plan.mode) + (plan.mode === "max_cover" ? " · " + text("plan.budget") + " " + money(plan.budget)
        : plan.target_coverage !== null && plan.target_coverage !== undefined ? " · " + text("plan.target") + " " + pct(plan.target_coverage) : ""),
      band: plan.band,
      cost: money(plan.cost),
      coverage_share: pct(plan.coverage_share, 2),
      // set cover: a lower bound on cost; max cover: an upper bound on covered demand
      bound: (plan.mode === "set_cover" ? money(plan.bound)
        : plan.bound_coverage_share !== null && plan.bound_coverage_share !== undefined ? pct(plan.bound_coverage_share, 2)
          : num(plan.bound)) + (plan.bound_method ? " (" + plan.bound_method + ")" : ""),
      gap: pct(plan.gap, 2),
      greedy_gap: greedy,
      chosen: root.dataset.lang === "zh"
        ? chosen.length + "（" + text("plan.new") + " " + (chosen.length - pinned) + "，" + text("plan.pinned") + " " + pinned + "）"
        : chosen.length + " (" + (chosen.length - pinned) + " " + text("plan.new") + ", " + pinned + " " + text("plan.pinned") + ")",
      candidates: plan.candidates,
      seconds: num(plan.seconds),
    });
    facts.hidden = false;
    message("ops-plan-message", "");
    set("planId", plan.id);
    set("planChosen", chosen.length);
    set("planGap", plan.gap === null || plan.gap === undefined ? "" : plan.gap);
    set("planStatus", "done");
  }

  function loadPlan() {
    if (root.dataset.regulator !== "true") {
      set("planStatus", "forbidden"); message("ops-plan-message", text("plan.forbidden"));
      return Promise.resolve();
    }
    function failed(r) {
      if (r.status === 403) { set("planStatus", "forbidden"); message("ops-plan-message", text("plan.forbidden")); return; }
      set("planStatus", "error"); message("ops-plan-message", problemText(r));
    }
    // The newest plan from the list (an empty list: none yet), then that plan in full.
    return getJSON(root.dataset.plansUrl + "?limit=1").then(function (r) {
      if (r.status !== 200 || !Array.isArray(r.body)) return failed(r);
      if (!r.body.length) { set("planStatus", "absent"); message("ops-plan-message", text("plan.none")); return; }
      return getJSON(root.dataset.plansUrl + "/" + encodeURIComponent(r.body[0].id)).then(function (one) {
        if (one.status === 200 && one.body && one.body.id !== undefined) showPlan(one.body);
        else failed(one);
      });
    });
  }

  // ------------------------------------------------------------------ the plan form

  function bindForm() {
    var form = byId("ops-plan-form");
    if (!form) return;
    var mode = form.elements.mode;
    function showMode() {
      form.querySelectorAll("label[data-mode]").forEach(function (el) { el.hidden = el.dataset.mode !== mode.value; });
    }
    mode.addEventListener("change", showMode);
    showMode();
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var body = { mode: mode.value, band: form.elements.band.value, time_limit_s: Number(form.elements.time_limit_s.value) };
      if (mode.value === "set_cover") body.target_coverage = Number(form.elements.target_coverage.value);
      else body.budget = Number(form.elements.budget.value);
      var button = form.querySelector('button[type="submit"]');
      button.disabled = true;
      button.textContent = text("form.running");
      message("ops-plan-error", "");
      set("planStatus", "running");
      getJSON(root.dataset.plansUrl, {
        method: "POST", body: JSON.stringify(body),
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrfToken() },
      }).then(function (r) {
        if ((r.status === 201 || r.status === 200) && r.body && r.body.id !== undefined) {
          showPlan(r.body);
          redraw();
        } else {
          set("planStatus", "error");
          message("ops-plan-error", text("form.failed") + (root.dataset.lang === "zh" ? "：" : ": ") + problemText(r));
        }
      }).then(function () {
        button.disabled = false;
        button.textContent = text("form.run");
      });
    });
  }

  function bindToolbar() {
    var toggle = byId("ops-heatmap-toggle");
    if (!toggle) return;
    toggle.addEventListener("change", function () {
      chart.dispatchAction({ type: toggle.checked ? "legendSelect" : "legendUnSelect", name: text("heatmap") });
    });
    chart.on("legendselectchanged", function (e) {
      if (e.name === text("heatmap")) toggle.checked = !!e.selected[e.name];
    });
    byId("ops-coverage-band").addEventListener("change", function () {
      loadCoverage().then(redraw);
    });
  }

  function boot() {
    root = byId("ops-map");
    if (!root) return;
    try { L = JSON.parse(root.dataset.labels || "{}"); } catch (e) { L = {}; }
    state = { sites: [], coverage: null, heatImage: null, plan: null, mapReady: false };
    if (typeof echarts === "undefined") { set("state", "error"); return; }
    chart = echarts.init(byId("ops-map-chart"), null, { renderer: "canvas" });
    window.addEventListener("resize", function () { chart.resize(); });
    bindToolbar();
    bindForm();
    loadDistricts().then(function (ok) {
      if (!ok) return;
      // One request at a time: a SQLite workspace serialises writes (sessions, audit).
      return loadSites().then(loadCoverage).then(loadPlan).then(function () {
        redraw();
        set("state", "ready");
      });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", boot);
  else boot();
})();

// Charts of the dashboard: each <div class="chart" data-kind=... data-source=ID> is drawn from the
// JSON block #ID (written by the server, escaped). No inline script, no request to another host.
(function () {
  "use strict";
  var STATUS_COLOURS = { missing: "#c0392b", weak: "#e67e22", present: "#2e86c1", strong: "#1e8449" };

  // Numbers on axes and in tooltips as the page's language writes them (1 234,5 in French).
  var NUMBERS = new Intl.NumberFormat(document.documentElement.lang || "zh-CN", { maximumFractionDigits: 2 });
  function number(value) {
    return typeof value === "number" ? NUMBERS.format(value) : value === null || value === undefined ? "–" : value;
  }

  // Every axis names its unit (spec.unit); small trend lines (no spec.axes) show none.
  function valueAxis(spec, show) {
    return { type: "value", name: show ? spec.unit || "" : "", nameTextStyle: { align: "left" },
             splitLine: { show: show }, axisLabel: { show: show, formatter: number } };
  }

  // A time axis names what it counts in (spec.x_name: year, date); the value axis its unit.
  function categoryAxis(spec) {
    return { type: "category", data: spec.x, name: spec.axes || spec.kind === "stack" ? spec.x_name || "" : "",
             nameLocation: "middle", nameGap: 24, nameTextStyle: { color: "#555" } };
  }

  function line(spec) {
    var series = [{ type: "line", name: spec.name, data: spec.y, smooth: true, symbolSize: 4, connectNulls: true }];
    var hasTarget = spec.target !== undefined && spec.target !== null;
    if (hasTarget) {
      series[0].markLine = { symbol: "none", data: [{ yAxis: spec.target, name: spec.target_name }],
                             label: { formatter: spec.target_name || "" }, lineStyle: { color: "#c0392b" } };
    }
    if (spec.mark) {
      series[0].markPoint = { data: [{ coord: [spec.mark, spec.y[spec.x.indexOf(spec.mark)]] }], symbolSize: 30 };
    }
    return {
      grid: { left: 8, right: 16, top: spec.axes ? 28 : 8, bottom: spec.axes ? 30 : 20, containLabel: true },
      tooltip: { trigger: "axis" },
      xAxis: categoryAxis(spec),
      yAxis: Object.assign(valueAxis(spec, !!spec.axes), hasTarget ? {
        // The target is in sight even when far from the actuals.
        min: function (v) { return Math.min(v.min, spec.target, 0); },
        max: function (v) { return Math.max(v.max, spec.target); },
      } : {}),
      series: series,
    };
  }

  function stack(spec) {
    return {
      grid: { left: 8, right: 16, top: 36, bottom: 30, containLabel: true },
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      xAxis: categoryAxis(spec),
      yAxis: valueAxis(spec, true),
      series: spec.series.map(function (s) { return { type: "bar", stack: "all", name: s.name, data: s.data }; }),
    };
  }

  function bar(spec) {
    var highlight = spec.highlight || [];
    return {
      grid: { left: 8, right: 8, top: 28, bottom: 24, containLabel: true },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: spec.x, axisLabel: { interval: 0, rotate: spec.x.length > 8 ? 30 : 0 } },
      yAxis: valueAxis(spec, true),
      series: [{
        type: "bar", name: spec.name,
        data: spec.y.map(function (v, i) {
          return { value: v, itemStyle: { color: highlight.indexOf(spec.x[i]) >= 0 ? "#c0392b" : "#2e86c1" } };
        }),
      }],
    };
  }

  function map(spec) {
    echarts.registerMap("districts", spec.geojson);
    var values = spec.values.map(function (d) { return d.value || 0; });
    var option = {
      tooltip: { trigger: "item" },
      // The legend names the measure and its unit; the pack's district is outlined and labelled.
      visualMap: { min: Math.min.apply(null, values), max: Math.max.apply(null, values), calculable: true,
                   left: "left", bottom: 10, inRange: { color: ["#eaf2f8", "#1f4e79"] },
                   text: [spec.legend || "", ""], textGap: 12, formatter: number },
      geo: { map: "districts", roam: true, nameProperty: "name", label: { show: false },
             regions: spec.values.filter(function (d) { return d.home; }).map(function (d) {
               return { name: d.name, itemStyle: { borderColor: "#c0392b", borderWidth: 3 },
                        label: { show: true, fontWeight: "bold", color: "#922b21" } };
             }) },
      series: [
        { type: "map", name: spec.name, geoIndex: 0, nameProperty: "name",
          data: spec.values.map(function (d) { return { name: d.name, value: d.value }; }) },
        { type: "scatter", coordinateSystem: "geo", symbolSize: 9, itemStyle: { color: "#c0392b" },
          name: spec.carriers_name, tooltip: { formatter: "{b}" }, data: spec.carriers },
        { type: "scatter", coordinateSystem: "geo", symbol: "diamond", symbolSize: 14,
          itemStyle: { color: "#8e44ad" }, name: spec.zones_name, data: spec.zones || [],
          label: { show: true, position: "right", formatter: "{b}", color: "#4a235a" },
          tooltip: { formatter: function (p) { return p.name + ": " + number(p.value[2]); } } },
      ],
      legend: { top: 0, left: 0, data: [spec.carriers_name, spec.zones_name] },
    };
    return option;
  }

  // The chain: one column per stage (upstream, midstream, downstream, left to right), a node per
  // link coloured by its status; the legend names the statuses (click one to hide its links).
  function graph(spec, element) {
    var stages = (spec.stages || []).map(function (s) { return s.id; });
    spec.stage.forEach(function (s) { if (stages.indexOf(s) < 0) { stages.push(s); } });
    var order = ["missing", "weak", "present", "strong", null];
    var categories = order.map(function (s) {
      return { name: s ? spec.statuses[s] || s : spec.suppressed_name || "–",
               itemStyle: { color: STATUS_COLOURS[s] || "#7f8c8d" } };
    });
    var seen = {};
    var nodes = spec.nodes.map(function (id, i) {
      var column = stages.indexOf(spec.stage[i]);
      seen[column] = (seen[column] || 0) + 1;
      var status = spec.status[i];
      return {
        id: id, name: spec.labels[i], x: column * 260, y: seen[column] * 90,
        symbolSize: 40, category: order.indexOf(order.indexOf(status) >= 0 ? status : null),
        label: { show: true, position: "bottom", width: 200, overflow: "break" },
        tooltip: { formatter: spec.labels[i] + ": " + (spec.statuses[status] || status || categories[4].name) },
      };
    });
    // Column headings: fixed nodes above each stage's column.
    var headings = (spec.stages || []).map(function (s, column) {
      return { id: "stage:" + s.id, name: s.name, x: column * 260, y: 0, symbolSize: 1,
               itemStyle: { color: "rgba(0, 0, 0, 0)" }, tooltip: { show: false },
               label: { show: true, position: "inside", fontWeight: "bold", fontSize: 14, color: "#1f4e79" } };
    });
    if (spec.clickable) {
      element.style.cursor = "pointer";
    }
    return {
      tooltip: {},
      legend: { top: 0, right: 40, data: categories.slice(0, 4).map(function (c) { return c.name; }) },
      series: [{
        type: "graph", layout: "none", roam: true, top: 40, data: headings.concat(nodes), categories: categories,
        edges: spec.edges.map(function (e) { return { source: e.source, target: e.target }; }),
        edgeSymbol: ["none", "arrow"], lineStyle: { width: 2, color: "#95a5a6" },
      }],
    };
  }

  // The industry mix as Metroverse draws it: sections > divisions > classes, each tile sized by
  // the measure (classes hidden by disclosure control are not in the data at all).
  function treemap(spec) {
    return {
      tooltip: { formatter: function (p) { return p.name + ": " + number(p.value) + " · " + spec.name; } },
      series: [{
        type: "treemap", name: spec.name, data: spec.tree, leafDepth: null, roam: false,
        top: 36, bottom: 28, left: 4, right: 4,
        breadcrumb: { show: true, bottom: 0 },
        upperLabel: { show: true, height: 20, color: "#222" },
        label: { show: true, formatter: "{b}", overflow: "truncate" },
        levels: [
          { itemStyle: { borderColor: "#fff", borderWidth: 3, gapWidth: 3 } },
          { itemStyle: { borderColor: "#eee", borderWidth: 2, gapWidth: 1 }, colorSaturation: [0.35, 0.6] },
          { itemStyle: { borderWidth: 1, gapWidth: 1, borderColorSaturation: 0.6 }, colorSaturation: [0.3, 0.5] },
        ],
      }],
    };
  }

  // Present activities (blue) and the best next ones (orange), linked by proximity; a thicker
  // link is a closer pair. The layout is a force layout, computed once (no animation).
  function network(spec) {
    var colours = ["#1f77b4", "#e67e22"];
    return {
      tooltip: { formatter: function (p) {
        if (p.dataType !== "node") { return number(p.data.proximity); }
        return p.name + "<br>" + spec.tooltip.rca + " " + number(p.data.rca) + " · " +
          spec.tooltip.density + " " + number(p.data.density);
      } },
      legend: { top: 0, left: 0, data: spec.categories },
      series: [{
        type: "graph", layout: "force", roam: true, draggable: true, top: 40,
        force: { repulsion: 140, edgeLength: [40, 140], gravity: 0.08, layoutAnimation: false },
        categories: spec.categories.map(function (name, i) { return { name: name, itemStyle: { color: colours[i] } }; }),
        data: spec.nodes.map(function (n) {
          return { id: n.id, name: n.name, category: n.category, rca: n.rca, density: n.density,
                   symbolSize: 8 + 22 * Math.min(1, n.density) };
        }),
        edges: spec.edges.map(function (e) {
          return { source: e.source, target: e.target, proximity: e.proximity,
                   lineStyle: { width: 0.5 + 3 * e.proximity, opacity: 0.5 } };
        }),
        label: { show: true, position: "right", fontSize: 11 },
        emphasis: { focus: "adjacency" },
      }],
    };
  }

  var BUILD = { line: line, bar: bar, stack: stack, map: map, graph: graph, treemap: treemap, network: network };

  document.querySelectorAll(".chart").forEach(function (element) {
    var source = document.getElementById(element.dataset.source);
    if (!source || typeof echarts === "undefined") { return; }
    var spec = JSON.parse(source.textContent);
    var chart = echarts.init(element, null, { renderer: "canvas" });
    var option = BUILD[spec.kind](spec, element);
    option.animation = false;  // figures, not a show: and screenshots catch the final state
    // Every chart saves itself as a PNG (drawn here, no request); its data is the CSV link below it.
    option.toolbox = { right: 0, top: 0, feature: {
      saveAsImage: { title: element.dataset.save || "PNG", name: element.id, pixelRatio: 2, backgroundColor: "#fff" } } };
    if (option.tooltip) { option.tooltip.valueFormatter = number; }
    chart.setOption(option);
    if (spec.kind === "graph" && spec.clickable) {
      chart.on("click", function (params) {
        if (params.dataType === "node" && params.data.id.indexOf("stage:") !== 0) {
          window.location.href = "/chains?track=" + encodeURIComponent(spec.track) +
            "&link=" + encodeURIComponent(params.data.id) + "#firms";
        }
      });
    }
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();

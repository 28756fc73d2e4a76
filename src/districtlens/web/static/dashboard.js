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
      grid: { left: 8, right: 16, top: spec.axes ? 28 : 8, bottom: 20, containLabel: true },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: spec.x },
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
      grid: { left: 8, right: 16, top: 36, bottom: 24, containLabel: true },
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      xAxis: { type: "category", data: spec.x },
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
      ],
    };
    return option;
  }

  function graph(spec, element) {
    var stages = [];
    spec.stage.forEach(function (s) { if (stages.indexOf(s) < 0) { stages.push(s); } });
    var seen = {};
    var nodes = spec.nodes.map(function (id, i) {
      var column = stages.indexOf(spec.stage[i]);
      seen[column] = (seen[column] || 0) + 1;
      return {
        id: id, name: spec.labels[i], x: column * 220, y: seen[column] * 90,
        symbolSize: 46, itemStyle: { color: STATUS_COLOURS[spec.status[i]] || "#7f8c8d" },
        label: { show: true, position: "bottom", width: 180, overflow: "break" },
        tooltip: { formatter: spec.labels[i] + ": " + (spec.statuses[spec.status[i]] || spec.status[i] || "") },
      };
    });
    if (spec.clickable) {
      element.style.cursor = "pointer";
    }
    return {
      tooltip: {},
      series: [{
        type: "graph", layout: "none", roam: true, data: nodes,
        edges: spec.edges.map(function (e) { return { source: e.source, target: e.target }; }),
        edgeSymbol: ["none", "arrow"], lineStyle: { width: 2, color: "#95a5a6" },
      }],
    };
  }

  var BUILD = { line: line, bar: bar, stack: stack, map: map, graph: graph };

  document.querySelectorAll(".chart").forEach(function (element) {
    var source = document.getElementById(element.dataset.source);
    if (!source || typeof echarts === "undefined") { return; }
    var spec = JSON.parse(source.textContent);
    var chart = echarts.init(element, null, { renderer: "canvas" });
    var option = BUILD[spec.kind](spec, element);
    option.animation = false;  // figures, not a show: and screenshots catch the final state
    if (option.tooltip) { option.tooltip.valueFormatter = number; }
    chart.setOption(option);
    if (spec.kind === "graph" && spec.clickable) {
      chart.on("click", function (params) {
        if (params.dataType === "node") {
          window.location.href = "/chains?track=" + encodeURIComponent(spec.track) +
            "&link=" + encodeURIComponent(params.data.id) + "#firms";
        }
      });
    }
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();

// Draws the report's charts from the JSON in #report-data with the ECharts library inlined above.
(function () {
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var drawn = 0;
  function chart(id, option) {
    var el = document.getElementById(id);
    if (!el) { return; }
    var c = echarts.init(el, null, { renderer: 'svg' });
    option.animation = false;
    option.tooltip = option.tooltip || { trigger: 'axis' };
    c.setOption(option);
    drawn++;
  }
  function pct(v) { return Math.round(v * 1000) / 10; }
  function errorBars(name, values) { // values: [x index, lo, hi]; offset is where the bar sits in its group
    return {
      type: 'custom', name: name, data: values, itemStyle: { color: '#333' },
      renderItem: function (params, api) {
        var lo = api.coord([api.value(0), api.value(1)]);
        var hi = api.coord([api.value(0), api.value(2)]);
        var offset = api.value(3);
        var x = lo[0] + offset * api.size([1, 0])[0] * 0.2;
        var style = { stroke: '#333', lineWidth: 1.5 };
        return { type: 'group', children: [
          { type: 'line', shape: { x1: x, y1: lo[1], x2: x, y2: hi[1] }, style: style },
          { type: 'line', shape: { x1: x - 5, y1: lo[1], x2: x + 5, y2: lo[1] }, style: style },
          { type: 'line', shape: { x1: x - 5, y1: hi[1], x2: x + 5, y2: hi[1] }, style: style } ] };
      }, z: 10, tooltip: { show: false }
    };
  }

  var labels = data.accuracy.map(function (a) { return a.label; });
  chart('chart-accuracy', {
    legend: {}, grid: { bottom: 80 },
    xAxis: { type: 'category', data: labels, axisLabel: { rotate: labels.length > 4 ? 30 : 0 } },
    yAxis: { type: 'value', min: 0, max: 100, name: 'accuracy %' },
    series: [
      { type: 'bar', name: 'over finished', barGap: '0%', barWidth: '20%',
        data: data.accuracy.map(function (a) { return pct(a.finished.acc); }) },
      { type: 'bar', name: 'over planned (failures wrong)', barWidth: '20%',
        data: data.accuracy.map(function (a) { return pct(a.planned.acc); }) },
      errorBars('95% Wilson (finished)', data.accuracy.map(function (a, i) {
        return [i, pct(a.finished.lo), pct(a.finished.hi), -0.5]; })),
      errorBars('95% Wilson (planned)', data.accuracy.map(function (a, i) {
        return [i, pct(a.planned.lo), pct(a.planned.hi), 0.5]; }))
    ]
  });

  var maxRounds = Math.max.apply(null, [1].concat(data.rounds.map(function (r) { return r.values.length; })));
  var roundNames = [];
  for (var i = 1; i <= maxRounds; i++) { roundNames.push('round ' + i); }
  chart('chart-rounds', {
    legend: {}, xAxis: { type: 'category', data: roundNames },
    yAxis: { type: 'value', min: 0, max: 100, name: 'accuracy % (finished)' },
    series: data.rounds.map(function (r) {
      return { type: 'line', name: r.label, data: r.values.map(pct), symbolSize: 8 };
    })
  });

  if (data.agents.length > 0) {
    var cats = data.agents.map(function (a) { return a.agent + ' r' + a.round; });
    chart('chart-tokens', {
      legend: {}, grid: { bottom: 120 },
      xAxis: { type: 'category', data: cats, axisLabel: { rotate: 40 } },
      yAxis: { type: 'value', name: 'tokens' },
      series: [
        { type: 'bar', stack: 't', name: 'prompt tokens', data: data.agents.map(function (a) { return a.prompt_tokens; }) },
        { type: 'bar', stack: 't', name: 'completion tokens', data: data.agents.map(function (a) { return a.completion_tokens; }) }
      ]
    });
    chart('chart-latency', {
      legend: {}, grid: { bottom: 120 },
      xAxis: { type: 'category', data: cats, axisLabel: { rotate: 40 } },
      yAxis: { type: 'value', name: 'ms per call' },
      series: [{ type: 'bar', name: 'mean latency per call (ms)',
                 data: data.agents.map(function (a) { return Math.round(a.mean_latency_ms * 10) / 10; }) }]
    });
  }

  if (data.failures.length > 0) {
    chart('chart-failures', {
      grid: { left: 320 }, tooltip: { trigger: 'item' },
      xAxis: { type: 'value', name: 'count', minInterval: 1 },
      yAxis: { type: 'category', data: data.failures.map(function (f) { return f.cause; }),
               axisLabel: { width: 300, overflow: 'truncate' } },
      series: [{ type: 'bar', name: 'failures', data: data.failures.map(function (f) { return f.count; }) }]
    });
  }

  var maxEpisodes = Math.max.apply(null, [1].concat(data.memory.map(function (m) { return m.values.length; })));
  var episodeNames = [];
  for (var e = 1; e <= maxEpisodes; e++) { episodeNames.push(e); }
  chart('chart-memory', {
    legend: {}, xAxis: { type: 'category', data: episodeNames, name: 'episode (as finished)' },
    yAxis: { type: 'value', name: 'memory items used', minInterval: 1 },
    series: data.memory.map(function (m) { return { type: 'line', name: m.label, data: m.values, showSymbol: false }; })
  });

  if (data.comparisons.length > 0) {
    chart('chart-comparison', {
      grid: { left: 320 }, tooltip: { trigger: 'item' },
      xAxis: { type: 'value', min: -100, max: 100, name: 'accuracy difference, points (A - B)' },
      yAxis: { type: 'category', data: data.comparisons.map(function (c) { return c.label; }),
               axisLabel: { width: 300, overflow: 'truncate' } },
      series: [
        { type: 'scatter', name: 'difference', symbolSize: 12,
          data: data.comparisons.map(function (c, i) { return [pct(c.diff), i]; }) },
        { type: 'custom', name: 'bootstrap 95%', tooltip: { show: false }, itemStyle: { color: '#333' },
          data: data.comparisons.map(function (c, i) { return [pct(c.lo), pct(c.hi), i]; }),
          renderItem: function (params, api) {
            var a = api.coord([api.value(0), api.value(2)]);
            var b = api.coord([api.value(1), api.value(2)]);
            var style = { stroke: '#333', lineWidth: 1.5 };
            return { type: 'group', children: [
              { type: 'line', shape: { x1: a[0], y1: a[1], x2: b[0], y2: b[1] }, style: style },
              { type: 'line', shape: { x1: a[0], y1: a[1] - 5, x2: a[0], y2: a[1] + 5 }, style: style },
              { type: 'line', shape: { x1: b[0], y1: b[1] - 5, x2: b[0], y2: b[1] + 5 }, style: style } ] };
          } }
      ]
    });
  }
  document.body.setAttribute('data-charts-drawn', String(drawn));
})();

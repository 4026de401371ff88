// Draws the dashboard's charts with uPlot (/static/uplot.min.js). The server
// writes each chart as <figure class="chart"> with its figures in a JSON data
// block (<script type="application/json" class="chart-data">: never run, so
// the CSP's script-src 'self' holds) and the same figures in a table beside
// it; this only draws. Colours come from the stylesheet's variables, so a
// chart follows the light or dark palette, and is drawn again when the
// colour scheme or the width changes. Once drawn, a figure carries
// data-drawn (its number of lines) and data-colors (the colours used), which
// the browser tests read.
'use strict';

(function () {
  const charts = [];

  function cssVar(name) {
    return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  }

  // Tick labels with as many decimals as the step between ticks needs (fee
  // amounts in ETH are small, TVL large), grouped by thousands.
  function ticks(u, splits, axisIdx, space, incr) {
    let d = 0;
    while (d < 18 && Math.abs(Math.round(incr * 10 ** d) - incr * 10 ** d) > 1e-6) d++;
    return splits.map((v) => (v == null ? '' : v.toLocaleString('en-US', {
      minimumFractionDigits: d, maximumFractionDigits: d })));
  }

  // Room for the widest label.
  function axisSize(u, values) {
    return values ? Math.ceil(Math.max(...values.map((v) => v.length)) * 6.5) + 18 : 40;
  }

  function build(fig) {
    const spec = JSON.parse(fig.querySelector('script.chart-data').textContent);
    const plot = fig.querySelector('.chart-plot');
    const colors = spec.series.map((s) => cssVar(s.color) || cssVar('--text'));
    const axis = {
      stroke: cssVar('--muted'),
      grid: { stroke: cssVar('--line'), width: 1 },
      ticks: { stroke: cssVar('--line'), width: 1 },
      font: '11px system-ui, sans-serif',
    };
    const opts = {
      width: Math.max(plot.clientWidth, 200),
      height: 200,
      legend: { show: false }, // the server writes the key; uPlot's is a table
      scales: { x: { time: true } },
      axes: [axis, Object.assign({}, axis, { size: axisSize, values: ticks })],
      series: [{}].concat(spec.series.map((s, i) => ({
        label: s.label,
        stroke: colors[i],
        width: 2,
        points: { show: spec.x.length <= 31, size: 5, fill: colors[i] },
      }))),
      hooks: {
        draw: [() => {
          fig.dataset.drawn = String(spec.series.length);
          fig.dataset.colors = colors.join(' ');
        }],
      },
    };
    const data = [spec.x].concat(spec.series.map((s) => s.values));
    return { fig, plot, chart: new uPlot(opts, data, plot) };
  }

  function drawAll() {
    while (charts.length) charts.pop().chart.destroy();
    for (const fig of document.querySelectorAll('figure.chart')) {
      delete fig.dataset.drawn;
      charts.push(build(fig));
    }
  }

  drawAll();
  window.matchMedia('(prefers-color-scheme: dark)').addEventListener('change', drawAll);
  let pending = 0;
  window.addEventListener('resize', () => {
    cancelAnimationFrame(pending);
    pending = requestAnimationFrame(() => {
      for (const c of charts) c.chart.setSize({ width: Math.max(c.plot.clientWidth, 200), height: 200 });
    });
  });
})();

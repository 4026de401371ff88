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

  // Small amounts (fees in ETH) keep their significant digits on the axis.
  function tick(v) {
    if (v === 0) return '0';
    const a = Math.abs(v);
    if (a >= 1e6) return (v / 1e6).toPrecision(3) + 'M';
    if (a >= 1e3) return (v / 1e3).toPrecision(3) + 'k';
    return String(Number(v.toPrecision(3)));
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
      axes: [axis, Object.assign({}, axis, { size: 56, values: (u, vals) => vals.map(tick) })],
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

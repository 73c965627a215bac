// The dashboard's charts: Chart.js from npm, bundled by extension/build.mjs into
// ../static/charts.js. The page's strict CSP allows no inline script, so the data
// comes from <script type="application/json"> blocks named by each canvas's
// data-chart attribute. Every bar carries its number, so nothing depends on colour.
import {
  BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, LineController,
  LineElement, PointElement, Tooltip,
} from 'chart.js';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, LineController,
  LineElement, PointElement, Tooltip, Legend);

const INK = '#1d2330';
const BAR = '#2457c5';
const LINE = '#8a4b00';

// Draws each bar's value at its end (inside when there is room), for bar datasets
// that ask for it with `valueLabels: true`.
const valueLabels = {
  id: 'waymarkValueLabels',
  afterDatasetsDraw(chart) {
    const { ctx } = chart;
    chart.data.datasets.forEach((dataset, datasetIndex) => {
      if (!dataset.valueLabels) return;
      const meta = chart.getDatasetMeta(datasetIndex);
      if (meta.hidden) return;
      meta.data.forEach((bar, index) => {
        const text = String(dataset.data[index]);
        ctx.save();
        ctx.font = '600 12px system-ui, sans-serif';
        const horizontal = chart.options.indexAxis === 'y';
        const width = ctx.measureText(text).width;
        if (horizontal) {
          const inside = bar.x - bar.base > width + 12;
          ctx.fillStyle = inside ? '#fff' : INK;
          ctx.textAlign = inside ? 'right' : 'left';
          ctx.textBaseline = 'middle';
          ctx.fillText(text, inside ? bar.x - 6 : bar.x + 6, bar.y);
        } else if (bar.width >= width + 2) {
          // Over the bar; skipped when the bars are too thin to carry a readable number.
          ctx.fillStyle = INK;
          ctx.textAlign = 'center';
          ctx.textBaseline = 'bottom';
          ctx.fillText(text, bar.x, bar.y - 3);
        }
        ctx.restore();
      });
    });
  },
};

function readData(id) {
  const block = document.getElementById(id);
  return block ? JSON.parse(block.textContent) : null;
}

function funnelChart(canvas, data) {
  return new Chart(canvas, {
    type: 'bar',
    data: {
      labels: data.labels,
      datasets: [{ label: data.series, data: data.values, backgroundColor: BAR, valueLabels: true }],
    },
    options: {
      indexAxis: 'y',
      maintainAspectRatio: false,
      animation: false,
      plugins: { legend: { display: false } },
      scales: { x: { beginAtZero: true, ticks: { precision: 0 } } },
    },
    plugins: [valueLabels],
  });
}

function trendChart(canvas, data) {
  return new Chart(canvas, {
    data: {
      labels: data.labels,
      datasets: [
        { type: 'bar', label: 'Runs started', data: data.started, backgroundColor: '#9db4e6',
          yAxisID: 'runs', valueLabels: data.labels.length <= 31 },
        { type: 'bar', label: 'Completed', data: data.completed, backgroundColor: BAR,
          yAxisID: 'runs', valueLabels: data.labels.length <= 31 },
        { type: 'line', label: 'Completion rate (%)', data: data.rates, borderColor: LINE,
          backgroundColor: LINE, borderDash: [6, 3], pointStyle: 'rectRot', pointRadius: 4,
          yAxisID: 'rate' },
      ],
    },
    options: {
      maintainAspectRatio: false,
      animation: false,
      layout: { padding: { top: 18 } },
      plugins: { legend: { position: 'bottom', labels: { usePointStyle: true } } },
      scales: {
        runs: { type: 'linear', position: 'left', beginAtZero: true, grace: '5%', ticks: { precision: 0 },
          title: { display: true, text: 'Runs' } },
        rate: { type: 'linear', position: 'right', min: 0, max: 100,
          grid: { drawOnChartArea: false }, title: { display: true, text: 'Completed %' } },
      },
    },
    plugins: [valueLabels],
  });
}

// Series colours told apart by shade and by the legend's order; every bar carries its number.
const SERIES = ['#2457c5', '#8a4b00', '#1f6b3a', '#6b3fa0', '#a61b1b', '#5b6475', '#0f7c8c', '#b5651d'];

// Horizontal bars, a series each, told apart by the legend: grouped per item (the tips
// page: shown, failed, fixed per tip) with their numbers, or stacked per step (the
// guide page's exit survey: why people left each step).
function seriesChart(canvas, data, stacked) {
  return new Chart(canvas, {
    type: 'bar',
    data: {
      labels: data.labels,
      datasets: data.series.map((series, index) => ({
        label: series.label, data: series.values, backgroundColor: SERIES[index % SERIES.length],
        valueLabels: !stacked,
      })),
    },
    options: {
      indexAxis: 'y',
      maintainAspectRatio: false,
      animation: false,
      plugins: { legend: { position: 'bottom' } },
      scales: { x: { stacked, beginAtZero: true, ticks: { precision: 0 } }, y: { stacked } },
    },
    plugins: [valueLabels],
  });
}

const DRAW = {
  funnel: funnelChart,
  trend: trendChart,
  grouped: (canvas, data) => seriesChart(canvas, data, false),
  stacked: (canvas, data) => seriesChart(canvas, data, true),
};

function drawAll() {
  document.querySelectorAll('canvas[data-chart]').forEach((canvas) => {
    const data = readData(canvas.dataset.chart);
    if (data && DRAW[data.kind]) {
      DRAW[data.kind](canvas, data);
      canvas.dataset.drawn = 'true';
    }
  });
}

if (document.readyState === 'loading') {
  document.addEventListener('DOMContentLoaded', drawAll);
} else {
  drawAll();
}

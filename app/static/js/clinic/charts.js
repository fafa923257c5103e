// The clinician's patient page: draws each `[data-chart]` box from the page's JSON block
// (`<script type="application/json" id="clinic-chart-data">`, data only, so the CSP's
// `script-src 'self'` allows it). The data tables beside the charts carry the same numbers
// for screen readers and for anyone without script, so the charts are aria-hidden.

const UPLOT = '../../vendor/uPlot-1.6.32.esm.js';
const UPLOT_CSS = '/static/vendor/uPlot-1.6.32.min.css';
const HEIGHT = 220;

/** Unix seconds at local midnight of a YYYY-MM-DD day, uPlot's x values. */
function daySeconds(day) {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(y, m - 1, d).getTime() / 1000;
}

function palette() {
  const css = getComputedStyle(document.documentElement);
  const get = (name) => css.getPropertyValue(name).trim();
  return { fg: get('--fg'), muted: get('--muted'), line: get('--line'), accent: get('--accent'),
    error: get('--error'), focus: get('--focus') };
}

/** A translucent fill from a #rrggbb colour, for the PSFS detectable-change band. */
function wash(colour) {
  return /^#[0-9a-f]{6}$/i.test(colour) ? `${colour}22` : 'rgba(127, 127, 127, 0.15)';
}

function loadStyles() {
  if (document.querySelector(`link[href="${UPLOT_CSS}"]`)) return;
  const link = document.createElement('link');
  link.rel = 'stylesheet';
  link.href = UPLOT_CSS;
  document.head.append(link);
}

/** x values: each day at local midnight; several points on one day are spread a second
 * apart so that uPlot, which needs x to rise, keeps them all. */
function xValues(dates) {
  const xs = [];
  dates.forEach((day, i) => {
    const x = daySeconds(day);
    xs.push(i > 0 && x <= xs[i - 1] ? xs[i - 1] + 1 : x);
  });
  return xs;
}

function options(spec, width, colours) {
  const xs = xValues(spec.dates);
  const axis = { stroke: colours.muted, grid: { stroke: colours.line, width: 1 },
    ticks: { stroke: colours.line } };
  return {
    width, height: HEIGHT,
    scales: {
      // A day either side, so a single point sits in a readable week rather than years.
      x: { time: true, range: [Math.min(...xs) - 86400, Math.max(...xs) + 86400] },
      y: spec.range ? { range: spec.range } : {},
    },
    axes: [axis, { ...axis, size: 40 }],
    cursor: { show: false },
    legend: { show: true, live: false },
    bands: spec.band ? [{ series: spec.band, fill: wash(colours.accent) }] : [],
    series: [{}, ...spec.series.map((s) => ({
      label: s.label, spanGaps: true, width: 2, points: { show: s.points !== false, size: 6 },
      stroke: colours[s.stroke] ?? s.stroke, ...(s.dash ? { dash: s.dash } : {}),
    }))],
  };
}

async function draw() {
  const block = document.getElementById('clinic-chart-data');
  const boxes = [...document.querySelectorAll('[data-chart]')];
  if (!block || boxes.length === 0) return;
  const specs = JSON.parse(block.textContent);
  loadStyles();
  const { default: UPlot } = await import(UPLOT);
  const colours = palette();
  const plots = [];
  for (const box of boxes) {
    const spec = specs[box.dataset.chart];
    if (!spec || spec.dates.length === 0) continue;
    const data = [xValues(spec.dates), ...spec.series.map((s) => s.values)];
    plots.push([box, new UPlot(options(spec, box.clientWidth || 320, colours), data, box)]);
  }
  window.addEventListener('resize', () => {
    for (const [box, plot] of plots) plot.setSize({ width: box.clientWidth || 320, height: HEIGHT });
  });
}

draw().catch((error) => console.error('charts could not be drawn', error));

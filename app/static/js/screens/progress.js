// Progress, centred on function (design §1, §5): first what the person can do — PSFS over
// time with the real-change band, goal ability, goal attainment, pacing quotas — and the
// daily pain scores last, beside function and never above it. Each chart has a one-line
// summary and a data table for screen readers; uPlot itself is loaded only when this
// screen opens. The numbers come from progress-data.js.

import { checkinsOf, formatAmount, latestOf, timeZone } from '../goals.js';
import { localDate } from '../dates.js';
import { goalProgress } from '../rules/goals.js';
import { MEAN_MDC } from '../rules/outcomes.js';
import { html, useEffect, useRef } from '../html.js';
import {
  DIARY_KEYS, abilitySeries, abilitySummary, dailySeries, daySeconds, diarySummary, gasSeries,
  gasSummary, psfsActivityLines, psfsSeries, psfsSummary, quotaSeries, quotaSummary,
} from '../progress-data.js';
import { useRecords, useUid } from '../ui.js';

const UPLOT = '../../vendor/uPlot-1.6.32.esm.js';
const UPLOT_CSS = '/static/vendor/uPlot-1.6.32.min.css';
let uPlotPromise = null;

function loadUPlot() {
  if (!uPlotPromise) {
    if (!document.querySelector(`link[href="${UPLOT_CSS}"]`)) {
      const link = document.createElement('link');
      link.rel = 'stylesheet';
      link.href = UPLOT_CSS;
      document.head.append(link);
    }
    uPlotPromise = import(UPLOT).then((module) => module.default);
  }
  return uPlotPromise;
}

function palette() {
  const css = getComputedStyle(document.documentElement);
  const get = (name) => css.getPropertyValue(name).trim();
  return { fg: get('--fg'), muted: get('--muted'), line: get('--line'), accent: get('--accent'),
    error: get('--error'), focus: get('--focus') };
}

/** '#1f5f5b' at `alpha` as rgba(), for a band's fill; other colour forms as they are. */
function translucent(colour, alpha) {
  const hex = /^#([0-9a-f]{6})$/i.exec(colour);
  if (!hex) return colour;
  const n = parseInt(hex[1], 16);
  return `rgba(${n >> 16}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}

// Lines after the first: told apart by dash as well as colour, so that colour is not needed.
const EXTRA_LINES = [
  { stroke: 'focus', dash: [8, 4] }, { stroke: 'fg', dash: [2, 3] }, { stroke: 'muted', dash: [10, 3, 2, 3] },
  { stroke: 'focus', dash: [1, 3] }, { stroke: 'fg', dash: [12, 4] },
];

/** Unix seconds for each day, a second apart when two share a day (uPlot needs x to rise). */
const xOf = (dates) => dates.map((day, i) => daySeconds(day) + i);

function Chart({ data, series, yRange, bands = [], height = 220 }) {
  const ref = useRef(null);
  const key = JSON.stringify([data, series.map((s) => s.label)]);
  useEffect(() => {
    let plot = null;
    let live = true;
    const colours = palette();
    loadUPlot().then((UPlot) => {
      if (!live || !ref.current) return;
      const axis = { stroke: colours.muted, grid: { stroke: colours.line, width: 1 }, ticks: { stroke: colours.line } };
      plot = new UPlot({
        width: ref.current.clientWidth || 320, height,
        scales: {
          // A day either side, so a single point sits in a readable week rather than years.
          x: { time: true, range: [Math.min(...data[0]) - 86400, Math.max(...data[0]) + 86400] },
          y: yRange ? { range: yRange } : {},
        },
        axes: [axis, { ...axis, size: 40 }],
        cursor: { show: false },
        legend: { show: true, live: false },
        bands: bands.map((band) => ({ series: band.series, fill: translucent(colours[band.fill] ?? band.fill, 0.15) })),
        series: [{}, ...series.map((s) => ({ spanGaps: true, width: 2, points: { show: true, size: 6 }, ...s, stroke: colours[s.stroke] ?? s.stroke }))],
      }, data, ref.current);
    }).catch((error) => console.error('charts could not load', error));
    const resize = () => plot?.setSize({ width: ref.current?.clientWidth || 320, height });
    window.addEventListener('resize', resize);
    return () => {
      live = false;
      window.removeEventListener('resize', resize);
      plot?.destroy();
    };
  }, [key]);
  return html`<div class="chart" ref=${ref} aria-hidden="true"></div>`;
}

function DataTable({ caption, columns, rows }) {
  return html`
    <div class="sr-only"><table>
      <caption>${caption}</caption>
      <thead><tr>${columns.map((c) => html`<th scope="col" key=${c}>${c}</th>`)}</tr></thead>
      <tbody>${rows.map((row, i) => html`<tr key=${i}>${row.map((cell, j) => (j === 0
        ? html`<th scope="row" key=${j}>${cell}</th>` : html`<td key=${j}>${cell ?? '–'}</td>`))}</tr>`)}</tbody>
    </table></div>`;
}

/** A card for one part of the page, named by its heading. */
function Part({ title, children }) {
  const id = useUid('progress');
  return html`
    <section class="card" aria-labelledby=${id}>
      <h2 id=${id}>${title}</h2>
      ${children}
    </section>`;
}

export function ProgressScreen() {
  const responses = useRecords('outcome_response');
  const goals = useRecords('goal');
  const checkins = useRecords('goal_checkin');
  const plans = useRecords('pacing_plan');
  const sessions = useRecords('pacing_session');
  const entries = useRecords('diary_entry');
  const ready = [responses, goals, checkins, plans, sessions, entries].every((list) => list !== undefined);
  return html`
    <h1 tabindex="-1">Progress</h1>
    <p class="hint">What you can do comes first; pain is shown last, beside it.</p>
    ${!ready ? html`<p class="hint">Loading…</p>` : html`
      <${PsfsChart} responses=${responses} />
      <${AbilityChart} goals=${goals} checkins=${checkins} />
      <${GoalAttainment} goals=${goals} checkins=${checkins} />
      <${QuotaCharts} plans=${plans} sessions=${sessions} />
      <${DiaryChart} entries=${entries} />`}`;
}

function PsfsChart({ responses }) {
  const series = psfsSeries(responses);
  const count = series.dates.length;
  const lines = psfsActivityLines(series);
  const showBand = series.band !== null;
  const activityLines = series.activities.map((a, i) => ({ label: a.name, width: 1.5, ...EXTRA_LINES[i % EXTRA_LINES.length] }));
  const first = 2 + activityLines.length; // series index of the band's upper edge (x is 0, the mean 1)
  return html`
    <${Part} title="Function: the activities that are hard now (PSFS)">
      <p class="chart-summary">${psfsSummary(series)}</p>
      ${count === 0 ? html`<p class="hint">Rate up to five activities that are hard now, from 0 (unable) to 10 (as before).
          <a href="#checkup">Answer the PSFS</a></p>` : html`
        <p class="hint">The shaded band is ${MEAN_MDC} points either side of your first score: a change beyond it is
          more than measurement noise (Stratford 1995).</p>
        <${Chart} yRange=${[0, 10]}
          data=${[xOf(series.dates), series.mean, ...series.activities.map((a) => a.scores),
            ...(showBand ? [series.dates.map(() => series.band[1]), series.dates.map(() => series.band[0])] : [])]}
          series=${[{ label: 'Mean', stroke: 'accent', width: 3 }, ...activityLines,
            ...(showBand ? [
              { label: `First score + ${MEAN_MDC}`, stroke: 'muted', width: 1, dash: [4, 4], points: { show: false } },
              { label: `First score − ${MEAN_MDC}`, stroke: 'muted', width: 1, dash: [4, 4], points: { show: false } },
            ] : [])]}
          bands=${showBand ? [{ series: [first, first + 1], fill: 'accent' }] : []} />
        ${lines.length > 0 && html`<ul class="plain progress-lines">${lines.map((line) => html`<li key=${line}>${line}</li>`)}</ul>`}
        <${DataTable} caption="PSFS scores (0–10, higher is better)"
          columns=${['Date', 'Mean', ...series.activities.map((a) => a.name)]}
          rows=${series.dates.map((d, i) => [d, series.mean[i], ...series.activities.map((a) => a.scores[i])])} />`}
    <//>`;
}

function AbilityChart({ goals, checkins }) {
  const ability = abilitySeries(goals, checkins);
  return html`
    <${Part} title="Goal ability">
      <p class="chart-summary">${abilitySummary(ability)}</p>
      ${ability.series.length > 0 ? html`
        <${Chart} yRange=${[0, 10]} height=${200}
          data=${[xOf(ability.dates), ...ability.series.map((s) => s.values)]}
          series=${ability.series.map((s, i) => (i === 0 ? { label: s.goal.title, stroke: 'accent' }
            : { label: s.goal.title, ...EXTRA_LINES[(i - 1) % EXTRA_LINES.length] }))} />
        <${DataTable} caption="How well you can do each goal (0–10)"
          columns=${['Date', ...ability.series.map((s) => s.goal.title)]}
          rows=${ability.dates.map((d, i) => [d, ...ability.series.map((s) => s.values[i])])} />`
        : goals.length === 0 && html`<p class="hint"><a href="#goals">Set a goal</a></p>`}
    <//>`;
}

function GoalAttainment({ goals, checkins }) {
  const today = localDate();
  const gas = gasSeries(goals, checkins);
  const gasLine = gasSummary(gas);
  const shown = goals.filter((g) => (g.status ?? 'active') !== 'dropped').map((goal) => {
    const own = checkinsOf(goal.id, checkins);
    return { goal, own, progress: goalProgress({ goal, checkins: own, today, timezone: timeZone() }) };
  }).filter(({ own, progress }) => own.length > 0 || progress.steps_total > 0);
  return html`
    <${Part} title="Goal attainment">
      ${gasLine && html`
        <figure>
          <h3>All scaled goals together</h3>
          <p class="chart-summary">${gasLine}</p>
          <${Chart} height=${180} yRange=${[20, 80]} data=${[xOf(gas.dates), gas.scores, gas.dates.map(() => 50)]}
            series=${[{ label: 'T-score', stroke: 'accent' },
              { label: 'As expected (50)', stroke: 'muted', dash: [6, 4], width: 1, points: { show: false } }]} />
          <${DataTable} caption="Goal Attainment Scaling T-score" columns=${['Date', 'T-score']}
            rows=${gas.dates.map((d, i) => [d, gas.scores[i]])} />
        </figure>`}
      ${shown.length === 0 ? html`<p class="hint">Check in on a goal or tick off a step to see its progress here.</p>`
        : shown.map(({ goal, own, progress }) => html`<${GoalFigure} key=${goal.id} goal=${goal} own=${own} progress=${progress} />`)}
    <//>`;
}

function GoalFigure({ goal, own, progress }) {
  const points = own.filter((c) => typeof c.amount === 'number');
  const unit = goal.unit ? ` ${goal.unit}` : '';
  const latestAmount = latestOf(own, 'amount');
  const percent = progress.amount?.percent ?? null;
  const summary = [
    progress.steps_total ? `${progress.steps_done} of ${progress.steps_total} steps done` : null,
    latestAmount !== null ? `latest ${formatAmount(latestAmount)}${typeof goal.target === 'number' ? ` of ${formatAmount(goal.target)}` : ''}${unit}` : null,
    percent !== null ? `${percent}% of the way from the baseline` : null,
    progress.gas_level !== null ? `attainment level ${progress.gas_level > 0 ? '+' : ''}${progress.gas_level}` : null,
  ].filter(Boolean).join('; ');
  return html`
    <figure>
      <h3>${goal.title}</h3>
      <p class="chart-summary">${summary || 'No amounts yet'}.</p>
      ${progress.steps_total > 0 && html`<progress max=${progress.steps_total} value=${progress.steps_done}
        aria-label=${`Steps done for ${goal.title}`}>${progress.steps_done} of ${progress.steps_total}</progress>`}
      ${points.length > 0 && html`
        <${Chart} height=${180}
          data=${[xOf(points.map((c) => c.local_date)), points.map((c) => c.amount),
            ...(typeof goal.target === 'number' ? [points.map(() => goal.target)] : [])]}
          series=${[{ label: `Amount${unit}`, stroke: 'accent' },
            ...(typeof goal.target === 'number' ? [{ label: 'Target', stroke: 'muted', dash: [6, 4], points: { show: false } }] : [])]} />
        <${DataTable} caption=${`Amounts for ${goal.title}`} columns=${['Date', `Amount${unit}`, 'Target']}
          rows=${points.map((c) => [c.local_date, c.amount, goal.target ?? null])} />`}
    </figure>`;
}

function QuotaCharts({ plans, sessions }) {
  const all = quotaSeries(plans, sessions).filter(({ plan, rows }) => plan.active !== false || rows.length > 0);
  return html`
    <${Part} title="Pacing: quota over time">
      ${all.length === 0 ? html`<p class="hint">No pacing plans yet. <a href="#pacing">Start a pacing plan</a></p>`
        : all.map((item) => html`
          <figure key=${item.plan.id}>
            <h3>${item.plan.activity}</h3>
            <p class="chart-summary">${quotaSummary(item)}</p>
            ${item.rows.length > 0 && html`
              <${Chart} height=${180} data=${[xOf(item.rows.map((r) => r.date)), item.rows.map((r) => r.planned), item.rows.map((r) => r.achieved)]}
                series=${[{ label: 'Quota', stroke: 'muted', dash: [6, 4] }, { label: 'Achieved', stroke: 'accent' }]} />
              <${DataTable} caption=${`Pacing sessions: ${item.plan.activity}`} columns=${['Date', 'Kind', 'Quota', 'Achieved', 'Unit']}
                rows=${item.rows.map((r) => [r.date, r.kind === 'trial' ? 'tolerance trial' : 'paced', r.planned, r.achieved, r.unit])} />`}
          </figure>`)}
    <//>`;
}

function DiaryChart({ entries }) {
  const series = dailySeries(entries);
  return html`
    <${Part} title="Daily check-ins: function, interference and pain">
      <p class="chart-summary">${diarySummary(entries)}</p>
      ${series.dates.length === 0 ? html`<p class="hint">Your chart appears after your first check-ins.</p>` : html`
        <${Chart} yRange=${[0, 10]}
          data=${[series.dates.map(daySeconds), series.function, series.interference, series.pain]}
          series=${[
            { label: 'Function', stroke: 'accent' },
            { label: 'Interference', stroke: 'focus', dash: [8, 4] },
            { label: 'Pain', stroke: 'error', dash: [2, 4] },
          ]} />
        <${DataTable} caption="Daily averages, last 90 days"
          columns=${['Date', ...DIARY_KEYS.map(([, label]) => label)]}
          rows=${series.dates.map((d, i) => [d, ...DIARY_KEYS.map(([key]) => series[key][i])])} />`}
    <//>`;
}

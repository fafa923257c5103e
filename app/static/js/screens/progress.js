// Progress: function, interference and pain over time (function first), pacing quota
// against achieved, and goal progress. Each chart has a one-line summary and a data table
// for screen readers; uPlot itself is loaded only when this screen opens.

import { checkinsOf, formatAmount, latestOf, timeZone } from '../goals.js';
import { localDate } from '../dates.js';
import { goalProgress } from '../rules/goals.js';
import { html, useEffect, useRef } from '../html.js';
import {
  DIARY_KEYS, dailySeries, daySeconds, diarySummary, pacingRows, pacingSummary,
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

function Chart({ data, series, yRange, height = 220 }) {
  const ref = useRef(null);
  const key = JSON.stringify(data);
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

export function ProgressScreen() {
  const entries = useRecords('diary_entry');
  const sessions = useRecords('pacing_session');
  const goals = useRecords('goal');
  const checkins = useRecords('goal_checkin');
  return html`
    <h1 tabindex="-1">Progress</h1>
    ${entries === undefined ? html`<p class="hint">Loading…</p>` : html`<${DiaryChart} entries=${entries} />`}
    ${sessions !== undefined && html`<${PacingChart} sessions=${sessions} />`}
    ${goals !== undefined && checkins !== undefined && html`<${GoalCharts} goals=${goals} checkins=${checkins} />`}`;
}

function DiaryChart({ entries }) {
  const series = dailySeries(entries);
  const id = useUid('diary-chart');
  return html`
    <section class="card" aria-labelledby=${id}>
      <h2 id=${id}>Function, interference and pain</h2>
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
    </section>`;
}

function PacingChart({ sessions }) {
  const rows = pacingRows(sessions);
  const id = useUid('pacing-chart');
  return html`
    <section class="card" aria-labelledby=${id}>
      <h2 id=${id}>Pacing: quota and achieved</h2>
      <p class="chart-summary">${pacingSummary(rows)}</p>
      ${rows.length > 0 && html`
        <${Chart} data=${[rows.map((r, i) => daySeconds(r.date) + i), rows.map((r) => r.planned), rows.map((r) => r.achieved)]}
          series=${[{ label: 'Quota', stroke: 'muted', dash: [6, 4] }, { label: 'Achieved', stroke: 'accent' }]} />
        <${DataTable} caption="Pacing sessions" columns=${['Date', 'Activity', 'Quota', 'Achieved', 'Unit']}
          rows=${rows.map((r) => [r.date, r.activity, r.planned, r.achieved, r.unit])} />`}
    </section>`;
}

function GoalCharts({ goals, checkins }) {
  const today = localDate();
  const withData = goals.map((goal) => {
    const own = checkinsOf(goal.id, checkins);
    return { goal, own, progress: goalProgress({ goal, checkins: own, today, timezone: timeZone() }) };
  }).filter(({ own }) => own.length > 0);
  const id = useUid('goal-charts');
  return html`
    <section class="card" aria-labelledby=${id}>
      <h2 id=${id}>Goal progress</h2>
      ${withData.length === 0 ? html`<p class="hint">Check in on a goal to see its progress here.</p>`
        : withData.map(({ goal, own, progress }) => {
          const points = own.filter((c) => typeof c.amount === 'number' || typeof c.ability === 'number');
          const unit = goal.unit ? ` ${goal.unit}` : '';
          const amounts = points.some((c) => typeof c.amount === 'number');
          const latestAmount = latestOf(own, 'amount');
          const latestAbility = latestOf(own, 'ability');
          const summary = [
            latestAmount !== null ? `latest ${formatAmount(latestAmount)}${typeof goal.target === 'number' ? ` of ${formatAmount(goal.target)}` : ''}${unit}` : null,
            progress.amount?.percent !== null && progress.amount?.percent !== undefined ? `${progress.amount.percent}% of the way from the baseline` : null,
            latestAbility !== null ? `ability ${latestAbility} of 10` : null,
            progress.steps_total ? `${progress.steps_done} of ${progress.steps_total} steps done` : null,
          ].filter(Boolean).join('; ');
          return html`
            <figure key=${goal.id}>
              <h3>${goal.title}</h3>
              <p class="chart-summary">${summary || 'No amounts yet'}.</p>
              ${points.length > 0 && html`
                <${Chart} height=${180} yRange=${amounts ? null : [0, 10]}
                  data=${[points.map((c, i) => daySeconds(c.local_date) + i),
                    ...(amounts ? [points.map((c) => c.amount ?? null)] : [points.map((c) => c.ability ?? null)]),
                    ...(amounts && typeof goal.target === 'number' ? [points.map(() => goal.target)] : [])]}
                  series=${amounts
                    ? [{ label: `Amount${unit}`, stroke: 'accent' },
                      ...(typeof goal.target === 'number' ? [{ label: 'Target', stroke: 'muted', dash: [6, 4], points: { show: false } }] : [])]
                    : [{ label: 'Ability (0–10)', stroke: 'accent' }]} />
                <${DataTable} caption=${`Check-ins for ${goal.title}`} columns=${['Date', 'Amount', 'Ability']}
                  rows=${points.map((c) => [c.local_date, c.amount, c.ability])} />`}
            </figure>`;
        })}
    </section>`;
}

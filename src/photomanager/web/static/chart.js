// The activity chart: sent and failed comments per hour as an SVG bar chart drawn with
// createElementNS (no chart library: the machine may be offline), plus a text summary
// for screen readers and for anyone who prefers numbers.

import { el, replace, svg } from "./dom.js";

const WIDTH = 720;
const HEIGHT = 220;
const PAD = { top: 12, right: 12, bottom: 34, left: 40 };
const HOUR_MS = 3600 * 1000;

/**
 * Fill the hours without activity with zeros: `rows` is [{hour, sent, failed}],
 * the result has one entry per hour over the last `hours` hours, oldest first.
 */
export function fillHours(rows, hours, now = new Date()) {
  const byHour = new Map();
  for (const row of rows || []) {
    const time = new Date(row.hour).getTime();
    if (Number.isNaN(time)) continue;
    byHour.set(Math.floor(time / HOUR_MS), row);
  }
  const last = Math.floor(now.getTime() / HOUR_MS);
  const result = [];
  for (let slot = last - hours + 1; slot <= last; slot += 1) {
    const row = byHour.get(slot);
    result.push({
      hour: new Date(slot * HOUR_MS),
      sent: row ? Number(row.sent) || 0 : 0,
      failed: row ? Number(row.failed) || 0 : 0,
    });
  }
  return result;
}

function niceMax(value) {
  if (value <= 4) return 4;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) {
    if (step * magnitude >= value) return step * magnitude;
  }
  return 10 * magnitude;
}

function hourLabel(date) {
  return `${String(date.getHours()).padStart(2, "0")}:00`;
}

/** A one-paragraph summary of the series (also the SVG's <desc>). */
export function summarize(series) {
  const sent = series.reduce((sum, row) => sum + row.sent, 0);
  const failed = series.reduce((sum, row) => sum + row.failed, 0);
  let text = `Last ${series.length} hours: ${sent} sent, ${failed} failed.`;
  const busiest = series.reduce((best, row) => (row.sent > best.sent ? row : best), {
    sent: 0,
  });
  if (busiest.sent > 0) {
    text += ` Busiest hour: ${hourLabel(busiest.hour)} on ${busiest.hour.toLocaleDateString()} with ${busiest.sent} sent.`;
  }
  return text;
}

/** Draw the chart for `rows` into `container`, and the summary into `summaryNode`. */
export function renderActivityChart(container, summaryNode, rows, hours = 48, now = new Date()) {
  const series = fillHours(rows, hours, now);
  const summary = summarize(series);
  const top = niceMax(Math.max(1, ...series.map((row) => row.sent + row.failed)));
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const slot = plotW / series.length;
  const barW = Math.max(2, slot * 0.7);
  const y = (value) => PAD.top + plotH - (value / top) * plotH;

  const parts = [
    svg("title", { id: "activity-chart-title", text: "Comments per hour" }),
    svg("desc", { id: "activity-chart-desc", text: summary }),
  ];
  // Y axis: four gridlines with their values.
  for (let i = 0; i <= 4; i += 1) {
    const value = (top / 4) * i;
    const yy = y(value);
    parts.push(
      svg("line", { class: "grid", x1: PAD.left, x2: WIDTH - PAD.right, y1: yy, y2: yy }),
      svg("text", {
        class: "axis-label",
        x: PAD.left - 6,
        y: yy + 4,
        "text-anchor": "end",
        text: Number.isInteger(value) ? value : value.toFixed(1),
      }),
    );
  }
  series.forEach((row, index) => {
    const x = PAD.left + index * slot + (slot - barW) / 2;
    const label = `${hourLabel(row.hour)}: ${row.sent} sent, ${row.failed} failed`;
    const group = svg("g", { class: "bar" }, [svg("title", { text: label })]);
    if (row.sent > 0) {
      group.append(
        svg("rect", {
          class: "bar-sent",
          x,
          y: y(row.sent),
          width: barW,
          height: y(0) - y(row.sent),
        }),
      );
    }
    if (row.failed > 0) {
      group.append(
        svg("rect", {
          class: "bar-failed",
          x,
          y: y(row.sent + row.failed),
          width: barW,
          height: y(row.sent) - y(row.sent + row.failed),
        }),
      );
    }
    parts.push(group);
    // X axis: a label every six hours keeps it readable at phone width.
    if (index % 6 === 0 || index === series.length - 1) {
      parts.push(
        svg("text", {
          class: "axis-label",
          x: PAD.left + index * slot + slot / 2,
          y: HEIGHT - PAD.bottom + 16,
          "text-anchor": "middle",
          text: hourLabel(row.hour),
        }),
      );
    }
  });
  finish(container, summaryNode, summary, parts, {
    zeroY: y(0),
    plotW,
    axisTitle: "hour (local time)",
    labelledBy: "activity-chart-title activity-chart-desc",
  });
  return series;
}

/** A legend for the chart (kept outside the SVG so it wraps on narrow screens). */
export function legend() {
  return el("ul", { class: "legend" }, [
    el("li", {}, [el("span", { class: "swatch swatch-sent", "aria-hidden": "true" }), "sent"]),
    el("li", {}, [el("span", { class: "swatch swatch-failed", "aria-hidden": "true" }), "failed"]),
  ]);
}

// Outcomes per ISO week: one stacked bar per week (replies, watch-backs, fave-backs,
// comment-backs), the week's comments in each bar's title and in the summary.
export const OUTCOME_SERIES = [
  { field: "replies", label: "replies", css: "bar-replies" },
  { field: "watch_backs", label: "watch-backs", css: "bar-watch" },
  { field: "fave_backs", label: "fave-backs", css: "bar-fave" },
  { field: "comment_backs", label: "comment-backs", css: "bar-comment-back" },
];

/** The weeks in order, each { label, comments, replies, ... } (numbers, 0 for missing). */
export function weeklySeries(groups) {
  return (groups || [])
    .filter((group) => group && group.key)
    .map((group) => {
      const row = { key: String(group.key), label: String(group.label || group.key) };
      row.comments = Number(group.comments) || 0;
      for (const { field } of OUTCOME_SERIES) row[field] = Number(group[field]) || 0;
      row.total = OUTCOME_SERIES.reduce((sum, { field }) => sum + row[field], 0);
      return row;
    })
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

function weekWords(row) {
  const parts = OUTCOME_SERIES.map(({ field, label }) => `${row[field]} ${label}`);
  return `${row.label}: ${row.comments} comments; ${parts.join(", ")}`;
}

/** One paragraph for screen readers and anyone who prefers numbers. */
export function summarizeWeeks(series) {
  if (!series.length) return "No comment sent yet: no week to show.";
  const comments = series.reduce((sum, row) => sum + row.comments, 0);
  const outcomes = series.reduce((sum, row) => sum + row.total, 0);
  const last = series[series.length - 1];
  return (
    `${series.length} ${series.length === 1 ? "week" : "weeks"}: ${comments} comments earned ` +
    `${outcomes} outcomes. Latest, ${weekWords(last)}.`
  );
}

/** Draw the weekly outcomes into `container` and the summary into `summaryNode`. */
export function renderWeeklyOutcomes(container, summaryNode, groups) {
  const series = weeklySeries(groups);
  const summary = summarizeWeeks(series);
  const top = niceMax(Math.max(1, ...series.map((row) => row.total)));
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const slot = plotW / Math.max(series.length, 1);
  const barW = Math.max(4, Math.min(48, slot * 0.6));
  const y = (value) => PAD.top + plotH - (value / top) * plotH;
  const every = Math.max(1, Math.ceil(series.length / 8)); // at most 8 week labels

  const parts = [
    svg("title", { id: "outcomes-chart-title", text: "Outcomes per week" }),
    svg("desc", { id: "outcomes-chart-desc", text: summary }),
  ];
  for (let i = 0; i <= 4; i += 1) {
    const value = (top / 4) * i;
    const yy = y(value);
    parts.push(
      svg("line", { class: "grid", x1: PAD.left, x2: WIDTH - PAD.right, y1: yy, y2: yy }),
      svg("text", {
        class: "axis-label",
        x: PAD.left - 6,
        y: yy + 4,
        "text-anchor": "end",
        text: Number.isInteger(value) ? value : value.toFixed(1),
      }),
    );
  }
  series.forEach((row, index) => {
    const x = PAD.left + index * slot + (slot - barW) / 2;
    const data = { week: row.key, comments: String(row.comments) };
    for (const { field } of OUTCOME_SERIES) data[field] = String(row[field]);
    const group = svg("g", { class: "week", dataset: data }, [
      svg("title", { text: weekWords(row) }),
    ]);
    let base = 0;
    for (const { field, css } of OUTCOME_SERIES) {
      if (row[field] <= 0) continue;
      group.append(
        svg("rect", {
          class: css,
          x,
          y: y(base + row[field]),
          width: barW,
          height: y(base) - y(base + row[field]),
        }),
      );
      base += row[field];
    }
    parts.push(group);
    if (index % every === 0 || index === series.length - 1) {
      parts.push(
        svg("text", {
          class: "axis-label",
          x: PAD.left + index * slot + slot / 2,
          y: HEIGHT - PAD.bottom + 16,
          "text-anchor": "middle",
          text: row.label,
        }),
      );
    }
  });
  finish(container, summaryNode, summary, parts, {
    zeroY: y(0),
    plotW,
    axisTitle: "ISO week of the comments",
    labelledBy: "outcomes-chart-title outcomes-chart-desc",
  });
  return series;
}

/** The legend of the weekly outcomes chart. */
export function outcomesLegend() {
  return el(
    "ul",
    { class: "legend" },
    OUTCOME_SERIES.map(({ label, css }) =>
      el("li", {}, [el("span", { class: `swatch swatch-${css}`, "aria-hidden": "true" }), label]),
    ),
  );
}

/** The x axis and its title, then the SVG in `container` and the text summary beside it. */
function finish(container, summaryNode, summary, parts, { zeroY, plotW, axisTitle, labelledBy }) {
  parts.push(
    svg("line", { class: "axis", x1: PAD.left, x2: WIDTH - PAD.right, y1: zeroY, y2: zeroY }),
    svg("text", {
      class: "axis-title",
      x: PAD.left + plotW / 2,
      y: HEIGHT - 4,
      "text-anchor": "middle",
      text: axisTitle,
    }),
  );
  const chart = svg(
    "svg",
    {
      class: "chart",
      viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
      role: "img",
      "aria-labelledby": labelledBy,
      preserveAspectRatio: "xMidYMid meet",
    },
    parts,
  );
  replace(container, [chart]);
  replace(summaryNode, [summary]);
}

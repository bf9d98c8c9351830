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
  parts.push(
    svg("line", { class: "axis", x1: PAD.left, x2: WIDTH - PAD.right, y1: y(0), y2: y(0) }),
    svg("text", {
      class: "axis-title",
      x: PAD.left + plotW / 2,
      y: HEIGHT - 4,
      "text-anchor": "middle",
      text: "hour (local time)",
    }),
  );
  const chart = svg(
    "svg",
    {
      class: "chart",
      viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
      role: "img",
      "aria-labelledby": "activity-chart-title activity-chart-desc",
      preserveAspectRatio: "xMidYMid meet",
    },
    parts,
  );
  replace(container, [chart]);
  replace(summaryNode, [summary]);
  return series;
}

/** A legend for the chart (kept outside the SVG so it wraps on narrow screens). */
export function legend() {
  return el("ul", { class: "legend" }, [
    el("li", {}, [el("span", { class: "swatch swatch-sent", "aria-hidden": "true" }), "sent"]),
    el("li", {}, [el("span", { class: "swatch swatch-failed", "aria-hidden": "true" }), "failed"]),
  ]);
}

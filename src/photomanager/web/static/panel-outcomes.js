// Outcomes: what the comments earned per template, feed or week, each rate with its 95%
// interval (2 of 3 reads "67% (21-94%)", never a bare "67%"), a mark on a row whose interval
// sits clearly below another's, and a chart of outcomes per week. Labels are template titles
// (the artist's) or tag names (DeviantArt's): text only.

import { api, API, query } from "./api.js";
import { outcomesLegend, renderWeeklyOutcomes } from "./chart.js";
import { byId, el, replace } from "./dom.js";
import { rateWithInterval, sourceLabel } from "./format.js";

const OUTCOMES = `${API}/outcomes`;
const KEY_HEADINGS = { template: "Template", source: "Feed", week: "Week" };
const CAPTIONS = {
  template: "Outcomes per template",
  source: "Outcomes per feed",
  week: "Outcomes per ISO week",
};

/** The rate cell: the phrase, and a small bar drawing the interval with the rate on it. */
function rateCell(value, low, high, label) {
  const text = rateWithInterval(value, low, high);
  const cell = el("td", { class: "rate", dataset: { label } }, [
    el("span", { class: "rate-text", text }),
  ]);
  if (value !== null && value !== undefined && low !== null && high !== null) {
    const span = (x) => `${Math.max(0, Math.min(100, Number(x) * 100)).toFixed(1)}%`;
    const width = `${Math.max(0.5, (Number(high) - Number(low)) * 100).toFixed(1)}%`;
    // Positions through the CSSOM: the Content-Security-Policy refuses style attributes.
    const range = el("span", { class: "interval-range" });
    range.style.left = span(low);
    range.style.width = width;
    const point = el("span", { class: "interval-point" });
    point.style.left = span(value);
    cell.append(el("span", { class: "interval", "aria-hidden": "true" }, [range, point]));
  }
  return cell;
}

function labelOf(group, groupBy) {
  if (groupBy === "source") return sourceLabel(group.key || group.label);
  return group.label || group.key || "unknown";
}

function row(group, groupBy, { total = false } = {}) {
  const head = total ? "All" : labelOf(group, groupBy);
  const keyCell = el("th", { scope: "row", class: "outcome-key" }, [
    el("span", { class: "outcome-label", text: head }),
  ]);
  if (group.clearly_lower) {
    keyCell.append(
      " ",
      el("span", {
        class: "lower-mark",
        title: "Clearly lower: its whole reply-rate interval lies below another row's",
        text: "▼ clearly lower",
      }),
    );
  }
  const count = (field, label) =>
    el("td", { class: `num ${field}`, dataset: { label }, text: String(group[field] ?? 0) });
  return el(
    "tr",
    {
      class: group.clearly_lower ? "clearly-lower" : null,
      dataset: { key: total ? "" : String(group.key ?? "") },
    },
    [
      keyCell,
      count("comments", "Comments"),
      count("replies", "Replies"),
      rateCell(group.reply_rate, group.reply_rate_low, group.reply_rate_high, "Reply rate"),
      count("watch_backs", "Watch-backs"),
      count("fave_backs", "Fave-backs"),
      count("comment_backs", "Comment-backs"),
      rateCell(
        group.watch_back_rate,
        group.watch_back_rate_low,
        group.watch_back_rate_high,
        "Watch-back rate",
      ),
    ],
  );
}

/** Wire up the outcomes table and the weekly chart; returns { load() }. */
export function initOutcomes() {
  const rows = byId("outcomes-rows");
  const totals = byId("outcomes-totals");
  const empty = byId("outcomes-empty");
  const groupBy = byId("outcomes-group");
  const keyHeading = byId("outcomes-key-col");
  const caption = byId("outcomes-caption");
  const windowDays = byId("outcomes-window");
  const chart = byId("outcomes-chart");
  const summary = byId("outcomes-chart-summary");
  replace(byId("outcomes-chart-legend"), [outcomesLegend()]);
  let latest = 0;

  function renderTable(report, by) {
    keyHeading.textContent = KEY_HEADINGS[by] || "Group";
    caption.textContent = CAPTIONS[by] || "Outcomes";
    const groups = (report && report.groups) || [];
    replace(
      rows,
      groups.map((group) => row(group, by)),
    );
    replace(totals, report && report.totals ? [row(report.totals, by, { total: true })] : []);
    empty.hidden = groups.length > 0;
    if (report && report.attribution_days) windowDays.textContent = String(report.attribution_days);
  }

  async function load() {
    const by = groupBy.value;
    const ticket = ++latest;
    // The table and the weekly chart: one request when the table is by week already.
    const [report, weekly] = await Promise.all([
      api.get(`${OUTCOMES}${query({ group_by: by })}`),
      by === "week" ? null : api.get(`${OUTCOMES}${query({ group_by: "week" })}`),
    ]);
    if (ticket !== latest) return; // the artist switched the grouping meanwhile
    renderTable(report, by);
    renderWeeklyOutcomes(chart, summary, ((weekly || report) && (weekly || report).groups) || []);
  }

  return { load, groupBy };
}

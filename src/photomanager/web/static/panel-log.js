// The comment log: the most recent attempts with their status and error, filtered by outcome
// (sent, failed, unknown, dry run, skipped), and a CSV export of the same filter.

import { api, API, query } from "./api.js";
import { byId, el, safeHref } from "./dom.js";
import { formatTime, humanize } from "./format.js";

const LIMIT = 50;

function cell(label, children, props = {}) {
  return el("td", { ...props, dataset: { label } }, children);
}

/** The deviation's title and author as a link while the queue keeps its row, else its id. */
function deviation(entry) {
  if (!entry.title) return [entry.deviationid];
  const href = safeHref(entry.url);
  const title = href
    ? el("a", { href, target: "_blank", rel: "noopener noreferrer", text: entry.title })
    : el("span", { text: entry.title });
  return entry.author ? [title, ` by ${entry.author}`] : [title];
}

function row(entry) {
  return el("tr", { dataset: { status: entry.status } }, [
    cell("Time", [formatTime(entry.sent_at)]),
    cell("Status", [
      el("span", { class: `status-pill status-${entry.status}`, text: humanize(entry.status) }),
    ]),
    cell("Deviation", deviation(entry), { class: entry.title ? "" : "mono" }),
    cell("Comment", [entry.body || ""]),
    cell("Error", [entry.error_message || ""], { class: "error" }),
  ]);
}

/** Wire up the log panel; returns { load }. */
export function initLog() {
  const rows = byId("log-rows");
  const empty = byId("log-empty");
  const filter = byId("log-filter");
  const exportLink = byId("log-export");

  async function load() {
    const status = filter.value;
    exportLink.setAttribute("href", `${API}/logs.csv${query({ status })}`);
    const page = await api.get(`${API}/logs${query({ limit: LIMIT, status })}`);
    if (status !== filter.value) return; // the filter changed while this page loaded
    const items = (page && page.items) || [];
    rows.replaceChildren(...items.map(row));
    empty.hidden = items.length > 0;
  }

  filter.addEventListener("change", () => load().catch(() => {}));
  byId("log-refresh").addEventListener("click", () => load().catch(() => {}));
  return { load };
}

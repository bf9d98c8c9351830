// The queue table: status filter, cursor pagination ("Load more"), checkbox selection with
// "Remove selected", and "Clear" by status behind a confirmation.

import { api, API, describeError, query } from "./api.js";
import { byId, el, flash, safeHref } from "./dom.js";
import { deviationMeta } from "./deviation-meta.js";
import { formatTime, humanize, sourceLabel } from "./format.js";

const PAGE_SIZE = 25;

/** Wire up the queue panel; returns { load, refreshIfIdle }. */
export function initQueue({ onChanged }) {
  const rows = byId("queue-rows");
  const filter = byId("queue-filter");
  const more = byId("queue-more");
  const removeButton = byId("queue-remove");
  const selectAll = byId("queue-select-all");
  const empty = byId("queue-empty");
  const message = byId("queue-flash");
  let nextCursor = null;
  let latest = 0;
  let pagesLoaded = 0;

  function selected() {
    return Array.from(rows.querySelectorAll("input[type=checkbox]:checked")).map(
      (box) => box.value,
    );
  }

  function updateSelection() {
    const count = selected().length;
    removeButton.disabled = count === 0;
    removeButton.textContent = count ? `Remove selected (${count})` : "Remove selected";
    const boxes = rows.querySelectorAll("input[type=checkbox]");
    selectAll.checked = boxes.length > 0 && count === boxes.length;
    selectAll.indeterminate = count > 0 && count < boxes.length;
  }

  function cell(label, children, props = {}) {
    return el("td", { ...props, dataset: { label } }, children);
  }

  function row(item) {
    const title = item.title || item.deviationid;
    const href = safeHref(item.url);
    const link = href
      ? el("a", {
          href,
          target: "_blank",
          rel: "noopener noreferrer",
          class: "deviation-title",
          text: title,
        })
      : el("span", { class: "deviation-title", text: title });
    const box = el("input", {
      type: "checkbox",
      value: item.deviationid,
      "aria-label": `Select ${title}`,
    });
    box.addEventListener("change", updateSelection);
    return el("tr", { dataset: { deviationid: item.deviationid, status: item.status } }, [
      cell("Select", [el("label", { class: "check-target" }, [box])]),
      cell("Deviation", [link, deviationMeta(item)], { class: "title" }),
      cell("Author", [item.author || ""], { class: "author" }),
      cell("Source", [sourceLabel(item.source)], { class: "source" }),
      cell("Time", [formatTime(item.ts)]),
      cell("Status", [
        el("span", { class: `status-pill status-${item.status}`, text: humanize(item.status) }),
      ]),
      cell("Failed tries", [String(item.attempts ?? 0)], { class: "num" }),
      cell("Last error", [item.last_error || "", ...settleButtons(item, title)], { class: "error" }),
    ]);
  }

  // A row whose outcome reconciliation cannot verify waits for the artist, who looked on
  // DeviantArt: "there" records it as commented, "not there" queues it to be posted again.
  function settleButtons(item, title) {
    if (item.status !== "unknown") return [];
    const settle = (posted, question) => {
      if (!window.confirm(question)) return;
      run(
        () => api.post(`${API}/queue/resolve-unknown`, { deviationid: item.deviationid, posted }),
        () => (posted ? "Recorded as commented." : "Queued to be posted again."),
      );
    };
    const there = el("button", {
      type: "button",
      class: "settle",
      text: "Our comment is there",
      "aria-label": `Our comment is on ${title}`,
    });
    there.addEventListener("click", () =>
      settle(true, "You found our comment on this deviation? It will be recorded as commented."),
    );
    const notThere = el("button", {
      type: "button",
      class: "settle",
      text: "It is not there",
      "aria-label": `Our comment is not on ${title}`,
    });
    notThere.addEventListener("click", () =>
      settle(false, "Our comment is NOT on this deviation? It will be posted again."),
    );
    return [el("span", { class: "settle-actions" }, [there, notThere])];
  }

  async function load({ append = false, onlyIfIdle = false } = {}) {
    // The newest request wins: a filter change must not be lost behind a refresh in flight.
    const seq = ++latest;
    const page = await api.get(
      `${API}/queue${query({
        status: filter.value,
        limit: PAGE_SIZE,
        cursor: append ? nextCursor : null,
      })}`,
    );
    if (seq !== latest) return;
    // A background refresh must not wipe boxes ticked while it was on its way.
    if (onlyIfIdle && !isIdle()) return;
    if (!append) {
      rows.replaceChildren();
      pagesLoaded = 0;
    }
    for (const item of page.items || []) rows.append(row(item));
    pagesLoaded += 1;
    nextCursor = page.next_cursor || null;
    more.hidden = !nextCursor;
    empty.hidden = rows.children.length > 0;
    updateSelection();
  }


  /** Reload the first page unless the artist is busy with it (selection, later pages). */
  function isIdle() {
    return selected().length === 0 && pagesLoaded <= 1;
  }

  async function refreshIfIdle() {
    if (!isIdle()) return;
    await load({ onlyIfIdle: true });
  }

  async function run(action, success) {
    try {
      const result = await action();
      flash(message, success(result ? result.count : 0), "ok");
      await load();
      if (onChanged) onChanged();
    } catch (error) {
      flash(message, describeError(error), "error");
    }
  }

  filter.addEventListener("change", () => load().catch((e) => flash(message, describeError(e), "error")));
  byId("queue-refresh").addEventListener("click", () =>
    load().catch((e) => flash(message, describeError(e), "error")),
  );
  more.addEventListener("click", () =>
    load({ append: true }).catch((e) => flash(message, describeError(e), "error")),
  );
  selectAll.addEventListener("change", () => {
    for (const box of rows.querySelectorAll("input[type=checkbox]")) box.checked = selectAll.checked;
    updateSelection();
  });
  removeButton.addEventListener("click", () => {
    const ids = selected();
    if (ids.length === 0) return;
    run(
      () => api.post(`${API}/queue/remove-selected`, { deviationids: ids }),
      (count) => `Removed ${count} row${count === 1 ? "" : "s"}.`,
    );
  });
  byId("queue-clear").addEventListener("click", () => {
    const status = byId("queue-clear-status").value;
    const what = status ? `every ${humanize(status)} row` : "every row that is not being sent";
    if (!window.confirm(`Clear ${what} from the queue? Commented deviations stay remembered.`)) {
      return;
    }
    run(
      () => api.post(`${API}/queue/clear`, status ? { status } : {}),
      (count) => `Cleared ${count} row${count === 1 ? "" : "s"}.`,
    );
  });

  return { load, refreshIfIdle };
}

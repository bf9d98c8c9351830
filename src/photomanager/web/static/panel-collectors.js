// Collectors: start a collect run on either feed and follow its progress (pages done,
// found, new, filtered by reason) until it ends.

import { api, API, describeError, fieldErrors } from "./api.js";
import { byId, flash } from "./dom.js";
import { humanize, sourceLabel } from "./format.js";

const FOLLOW_INTERVAL = 700;

function filteredText(filtered) {
  const parts = Object.entries(filtered || {})
    .filter(([, count]) => count > 0)
    .map(([reason, count]) => `${humanize(reason)} ${count}`);
  return parts.length ? parts.join(", ") : "none";
}

/** Words for a run snapshot, e.g. "page 2 of 3 · found 100 · new 80 · filtered: mature 3". */
export function describeRun(run) {
  return (
    `page ${run.pages_done} of ${run.pages_requested} · found ${run.found} · new ${run.new}` +
    ` · filtered: ${filteredText(run.filtered)}`
  );
}

/** Wire up the collectors panel; returns { follow } to resume a run seen in the status. */
export function initCollectors({ onProgress }) {
  const form = byId("collect-form");
  const pages = byId("collect-pages");
  const pagesError = byId("collect-pages-error");
  const box = byId("collect-progress");
  const label = byId("collect-label");
  const bar = byId("collect-bar");
  const numbers = byId("collect-numbers");
  const message = byId("collect-flash");
  const following = new Set();

  function show(run) {
    box.hidden = false;
    const name = sourceLabel(run.source);
    bar.max = Math.max(1, run.pages_requested);
    bar.value = Math.min(run.pages_done, run.pages_requested);
    numbers.textContent = describeRun(run);
    if (run.state === "running") {
      label.textContent = `Collecting from ${name}…`;
    } else if (run.state === "done") {
      label.textContent = `${name}: done${run.stopped_because ? ` (${run.stopped_because})` : ""}`;
    } else {
      label.textContent = `${name}: ${run.state}${run.error ? ` - ${run.error}` : ""}`;
    }
    box.dataset.state = run.state;
  }

  async function follow(runId) {
    if (following.has(runId)) return;
    following.add(runId);
    try {
      for (;;) {
        let run;
        try {
          run = await api.get(`${API}/collect/${encodeURIComponent(runId)}`);
        } catch (error) {
          flash(message, describeError(error), "error");
          await new Promise((resolve) => setTimeout(resolve, FOLLOW_INTERVAL * 4));
          continue;
        }
        show(run);
        if (onProgress) onProgress(run);
        if (run.state !== "running") {
          const kind = run.state === "done" ? "ok" : "error";
          flash(message, `${sourceLabel(run.source)}: ${run.new} new deviation(s) queued.`, kind);
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, FOLLOW_INTERVAL));
      }
    } finally {
      following.delete(runId);
    }
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = event.submitter || byId("collect-watch");
    const source = button.dataset.source;
    pagesError.hidden = true;
    pages.removeAttribute("aria-invalid");
    const count = Number(pages.value);
    try {
      const run = await api.post(`${API}/collect/${source}`, {
        pages: Number.isInteger(count) ? count : pages.value,
      });
      flash(message, "", "info");
      show(run);
      follow(run.run_id);
    } catch (error) {
      const errors = fieldErrors(error);
      if (errors.has("pages")) {
        pagesError.textContent = errors.get("pages");
        pagesError.hidden = false;
        pages.setAttribute("aria-invalid", "true");
        pages.focus();
      }
      flash(message, describeError(error), "error");
    }
  });

  /** Show a finished run's result unless a run is being followed right now. */
  function showResult(run) {
    if (following.size === 0) show(run);
  }

  return { follow, showResult };
}

// Collectors: the tags the artist follows (chips, saved in the settings at once), and collect
// runs on the watch feed, the global feed or every tag, followed until they end: the feeds
// share one progress box, tag runs get one line each (they page one after another).

import { api, API, describeError, fieldErrors } from "./api.js";
import { byId, el, flash } from "./dom.js";
import { humanize, sourceLabel, sourceTag } from "./format.js";

const FOLLOW_INTERVAL = 700;
// The server's rule (domain TAG_RULE): checked here first so a typo never leaves the page.
const TAG_PATTERN = /^[a-z0-9_]{1,50}$/;
const TAG_RULE = "lower case letters, digits and underscores only, at most 50 characters";
const NO_TAGS = 'No tags yet: add a tag above, then "Collect from tags".';

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

/** Why `text` is not a tag the server takes (with the spelling that would be), or null. */
export function tagProblem(text) {
  if (TAG_PATTERN.test(text)) return null;
  const shown = JSON.stringify(text.slice(0, 60));
  const fixed = text.toLowerCase().split(/\s+/).filter(Boolean).join("_");
  const hint = fixed !== text && TAG_PATTERN.test(fixed) ? ` (try "${fixed}")` : "";
  return `${shown}${hint} is not a DeviantArt tag: ${TAG_RULE}`;
}

/** The label of a run: running, done (and why it stopped) or failed. */
function runLabel(run, name) {
  if (run.state === "running") {
    // Tag runs take turns: a run with no page read yet may be waiting for another tag.
    if (sourceTag(run.source) !== null && run.pages_done === 0) {
      return `${name}: waiting for its turn…`;
    }
    return `Collecting from ${name}…`;
  }
  if (run.state === "done") {
    return `${name}: done${run.stopped_because ? ` (${run.stopped_because})` : ""}`;
  }
  return `${name}: ${run.state}${run.error ? ` - ${run.error}` : ""}`;
}

/** Wire up the collectors panel; returns { load, follow, showResult }. */
export function initCollectors({ onProgress, isShown = () => true }) {
  const form = byId("collect-form");
  const pages = byId("collect-pages");
  const pagesError = byId("collect-pages-error");
  const box = byId("collect-progress");
  const label = byId("collect-label");
  const bar = byId("collect-bar");
  const numbers = byId("collect-numbers");
  const message = byId("collect-flash");
  const tagForm = byId("tag-form");
  const tagInput = byId("tag-input");
  const tagError = byId("tag-input-error");
  const chips = byId("tag-chips");
  const noTags = byId("tags-empty");
  const tagRuns = byId("tag-progress");
  const following = new Set();
  let tags = [];
  let saving = false;

  // --- Tags the artist follows -------------------------------------------------------------

  function showTagError(text) {
    tagError.textContent = text || "";
    tagError.hidden = !text;
    if (text) tagInput.setAttribute("aria-invalid", "true");
    else tagInput.removeAttribute("aria-invalid");
  }

  function chip(tag) {
    return el("li", { class: "chip", dataset: { tag } }, [
      el("span", { class: "chip-text", text: `#${tag}` }),
      el("button", {
        type: "button",
        class: "chip-remove",
        "aria-label": `Remove tag ${tag}`,
        title: `Remove tag ${tag}`,
        text: "×",
        onclick: () => saveTags(tags.filter((other) => other !== tag), { removed: tag }),
      }),
    ]);
  }

  function renderTags(list) {
    tags = Array.isArray(list) ? list.slice() : [];
    chips.replaceChildren(...tags.map(chip));
    chips.hidden = tags.length === 0;
    noTags.hidden = tags.length > 0;
  }

  /** Save the full list; true when the server took it (the chips then show its answer). */
  async function saveTags(list, { removed = null } = {}) {
    if (saving) return false;
    saving = true;
    tagForm.setAttribute("aria-busy", "true");
    try {
      const saved = await api.put(`${API}/settings`, { tags: list });
      renderTags(saved && Array.isArray(saved.tags) ? saved.tags : list);
      showTagError("");
      if (removed !== null) {
        flash(message, `Tag ${removed} removed.`, "ok");
        tagInput.focus(); // the focused button is gone with its chip
      }
      return true;
    } catch (error) {
      showTagError(fieldErrors(error).get("tags") || describeError(error));
      return false;
    } finally {
      saving = false;
      tagForm.removeAttribute("aria-busy");
    }
  }

  tagForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = tagInput.value.trim();
    if (!text) {
      showTagError("Type a tag to add, e.g. watercolor.");
      tagInput.focus();
      return;
    }
    const problem = tagProblem(text);
    if (problem) {
      showTagError(problem);
      tagInput.focus();
      return;
    }
    if (tags.includes(text)) {
      showTagError(`${text} is already in your tags.`);
      tagInput.focus();
      return;
    }
    // The typed text stays in the field unless the server took the tag.
    if (await saveTags([...tags, text])) {
      tagInput.value = "";
      flash(message, `Tag ${text} added.`, "ok");
    }
    tagInput.focus();
  });

  async function load() {
    const settings = (await api.get(`${API}/settings`)) || {};
    renderTags(settings.tags);
  }

  // --- Runs ------------------------------------------------------------------------------

  function tagLine(run) {
    const tag = sourceTag(run.source);
    const id = `tag-run-${tag}`;
    let line = tagRuns.querySelector(`li[data-tag="${CSS.escape(tag)}"]`);
    if (!line) {
      line = el("li", { class: "tag-run", dataset: { tag } }, [
        el("label", { for: id, class: "tag-run-label" }),
        el("progress", { id, max: 1, value: 0 }),
        el("p", { class: "numbers" }),
      ]);
      tagRuns.append(line);
    }
    tagRuns.hidden = false;
    return line;
  }

  function show(run) {
    const name = sourceLabel(run.source);
    const max = Math.max(1, run.pages_requested);
    const value = Math.min(run.pages_done, run.pages_requested);
    if (sourceTag(run.source) !== null) {
      const line = tagLine(run);
      line.dataset.state = run.state;
      line.dataset.new = String(run.new);
      line.querySelector("label").textContent = runLabel(run, name);
      const progress = line.querySelector("progress");
      progress.max = max;
      progress.value = value;
      line.querySelector(".numbers").textContent = describeRun(run);
      return;
    }
    box.hidden = false;
    bar.max = max;
    bar.value = value;
    numbers.textContent = describeRun(run);
    label.textContent = runLabel(run, name);
    box.dataset.state = run.state;
  }

  function finished(run) {
    const kind = run.state === "done" ? "ok" : "error";
    if (sourceTag(run.source) === null) {
      flash(message, `${sourceLabel(run.source)}: ${run.new} new deviation(s) queued.`, kind);
      return;
    }
    // Tag runs: one sentence once every line has ended.
    const lines = Array.from(tagRuns.children);
    if (lines.some((line) => line.dataset.state === "running")) return;
    const added = lines.reduce((sum, line) => sum + Number(line.dataset.new || 0), 0);
    const failed = lines.filter((line) => line.dataset.state !== "done").length;
    const words = `Tags: ${added} new deviation(s) queued.`;
    if (failed) flash(message, `${words} ${failed} tag run(s) did not finish.`, "error");
    else flash(message, words, "ok");
  }

  async function follow(runId) {
    if (following.has(runId)) return;
    following.add(runId);
    try {
      for (;;) {
        // Hidden, the section stops asking; shown again, the status poll resumes following.
        if (!isShown()) return;
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
          finished(run);
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, FOLLOW_INTERVAL));
      }
    } finally {
      following.delete(runId);
    }
  }

  function pagesValue() {
    pagesError.hidden = true;
    pages.removeAttribute("aria-invalid");
    const count = Number(pages.value);
    return Number.isInteger(count) ? count : pages.value;
  }

  function showStartError(error) {
    const errors = fieldErrors(error);
    if (errors.has("pages")) {
      pagesError.textContent = errors.get("pages");
      pagesError.hidden = false;
      pages.setAttribute("aria-invalid", "true");
      pages.focus();
    }
    flash(message, describeError(error), "error");
  }

  async function collectTags() {
    const count = pagesValue();
    if (tags.length === 0) {
      flash(message, NO_TAGS, "error");
      tagInput.focus();
      return;
    }
    try {
      const runs = await api.post(`${API}/collect/tags`, { pages: count });
      flash(message, "", "info");
      // Lines of earlier runs that ended make way; a tag still running keeps its line.
      for (const line of Array.from(tagRuns.children)) {
        if (line.dataset.state !== "running") line.remove();
      }
      for (const run of runs || []) {
        show(run);
        follow(run.run_id);
      }
    } catch (error) {
      showStartError(error);
    }
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = event.submitter || byId("collect-watch");
    const source = button.dataset.source;
    if (source === "tags") {
      await collectTags();
      return;
    }
    const count = pagesValue();
    try {
      const run = await api.post(`${API}/collect/${source}`, { pages: count });
      flash(message, "", "info");
      show(run);
      follow(run.run_id);
    } catch (error) {
      showStartError(error);
    }
  });

  /**
   * Show a finished run's result unless a run is being followed right now. A tag run only
   * updates its line when the page shows one (a lone line would hide the other tags).
   */
  function showResult(run) {
    if (following.size > 0) return;
    const tag = sourceTag(run.source);
    if (tag !== null && !tagRuns.querySelector(`li[data-tag="${CSS.escape(tag)}"]`)) return;
    show(run);
  }

  return { load, follow, showResult };
}

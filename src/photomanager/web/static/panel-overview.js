// Overview: counts per status, sent today / this hour against the caps, the worker state in
// words with a live countdown, skipped rows by reason, and the start / stop / retry-failed
// buttons.

import { api, API, ApiError, describeError } from "./api.js";
import { byId, el, flash, replace } from "./dom.js";
import { formatDuration, humanize } from "./format.js";

const COUNT_ORDER = [
  "pending",
  "awaiting_review",
  "sending",
  "unknown",
  "commented",
  "failed",
  "skipped",
];

function pick(object, ...names) {
  for (const name of names) {
    if (object && object[name] !== undefined && object[name] !== null) return object[name];
  }
  return undefined;
}

/** The parts of a status answer this panel needs, whatever their exact nesting. */
export function normalizeStatus(raw) {
  const status = raw || {};
  const worker = status.worker || status;
  const caps = status.caps || status;
  const processed = status.processed || status;
  return {
    counts: status.counts || status.stats || status.queue || {},
    worker: {
      desired: pick(worker, "desired"),
      state: pick(worker, "state") || "stopped",
      reason: pick(worker, "reason") || null,
      waitingUntil: pick(worker, "waiting_until") || null,
      failures: pick(worker, "consecutive_failures") || 0,
      heartbeatAt: pick(worker, "heartbeat_at") || null,
    },
    sentToday: pick(processed, "sent_today"),
    sentHour: pick(processed, "sent_this_hour"),
    failedToday: pick(processed, "failed_today"),
    nextAllowedReason: pick(caps, "next_allowed_reason") || null,
    maxDay: pick(caps, "max_per_day"),
    maxHour: pick(caps, "max_per_hour"),
    serverNow: pick(status, "now", "server_time") || null,
    sandbox: Boolean(pick(status, "sandbox")),
    account: status.account || null,
    collectRuns: status.collect_runs || [],
    skippedByReason: status.skipped_by_reason || {},
    housekeeping: status.housekeeping || null,
    waits: status.waits || [],
    inbox: status.inbox || null,
  };
}

/** When housekeeping last ran and what it removed, in words. */
export function describeHousekeeping(run) {
  if (!run) return "has not run yet (the worker runs it every hour)";
  const removed = Object.entries(run.removed || {})
    .filter(([, count]) => count > 0)
    .map(([status, count]) => `${count} ${humanize(status).toLowerCase()}`);
  const when = new Date(run.ran_at).toLocaleString();
  const rows = removed.length ? removed.join(", ") : "no queue rows";
  const partial = run.complete ? "" : " (stopped early; the next run goes on)";
  return `last ran ${when} (${run.trigger}): removed ${rows} and ${run.logs_removed} log entries${partial}`;
}

// A worker reports at least every few seconds, except inside one long DeviantArt
// request (retries included); silence beyond this means no worker is running.
const SILENT_MS = 5 * 60 * 1000;

/** The worker state in words; says so when a worker that should run went silent. */
export function describeWorker(worker, nowMs) {
  const words = describeReport(worker, nowMs);
  const active = ["running", "waiting", "paused"].includes(worker.state);
  if (worker.desired === "running" && active && worker.heartbeatAt) {
    const silent = nowMs - new Date(worker.heartbeatAt).getTime();
    if (silent > SILENT_MS) {
      return `no worker seen for ${formatDuration(silent / 1000)}: is the app (or photomanager worker) running? Last report: ${words}`;
    }
  }
  return words;
}

/** The worker's own report in words, with the seconds left counted from `nowMs`. */
function describeReport(worker, nowMs) {
  const left = worker.waitingUntil ? (new Date(worker.waitingUntil).getTime() - nowMs) / 1000 : null;
  const reason = worker.reason || "";
  if (worker.state === "waiting" || (worker.state === "running" && left !== null && left > 0)) {
    if (left !== null) {
      // The server words the reason once ("waiting 74 s (pacing)"); keep its "why", count here.
      const why = reason.match(/\(([^)]*)\)\s*$/);
      const plain = reason.replace(/^waiting\s+[\d.,]+\s*\w*\s*/i, "").trim();
      const tail = why ? why[1] : plain;
      return `waiting ${formatDuration(left)}${tail ? ` (${tail})` : ""}`;
    }
    return reason || "waiting";
  }
  if (worker.state === "running") return reason || "running";
  if (worker.state === "paused") return reason ? `paused: ${reason.replace(/^paused:\s*/i, "")}` : "paused";
  if (worker.state === "blocked") return reason ? `blocked: ${reason.replace(/^blocked:\s*/i, "")}` : "blocked";
  if (worker.state === "stopped" && reason) {
    return reason.toLowerCase().startsWith("stopped") ? reason : `stopped: ${reason}`;
  }
  return humanize(worker.state);
}

function countTile(label, value, extraClass = "") {
  return el("div", { class: extraClass, dataset: { count: label } }, [
    el("dt", { text: humanize(label) }),
    el("dd", { text: value === undefined ? "-" : String(value) }),
  ]);
}

/** Wire up the overview panel; returns { render(status) }. */
export function initOverview({ onChanged }) {
  const stateNode = byId("worker-state");
  const counts = byId("status-counts");
  const caps = byId("caps");
  const skippedBox = byId("skipped-box");
  const waits = byId("deviantart-waits");
  const skipped = byId("skipped-reasons");
  const housekeeping = byId("housekeeping");
  const message = byId("overview-flash");
  const startButton = byId("worker-start");
  const stopButton = byId("worker-stop");
  let worker = null;
  let clockOffset = 0;

  function paintState() {
    if (!worker) return;
    stateNode.textContent = describeWorker(worker, Date.now() + clockOffset);
    stateNode.className = `worker-state state-${worker.state}`;
  }
  // The countdown ticks every second between polls.
  setInterval(paintState, 1000);

  function render(raw) {
    const status = normalizeStatus(raw);
    worker = status.worker;
    if (status.serverNow) clockOffset = new Date(status.serverNow).getTime() - Date.now();
    paintState();
    const known = COUNT_ORDER.filter((name) => name in status.counts);
    const others = Object.keys(status.counts).filter((name) => !COUNT_ORDER.includes(name));
    replace(
      counts,
      [...known, ...others].map((name) => countTile(name, status.counts[name])),
    );
    const atDay = status.maxDay !== undefined && status.sentToday >= status.maxDay;
    const atHour = status.maxHour !== undefined && status.sentHour >= status.maxHour;
    replace(caps, [
      countTile(
        "sent_today",
        status.maxDay === undefined ? status.sentToday : `${status.sentToday ?? 0} / ${status.maxDay}`,
        atDay ? "at-cap" : "",
      ),
      countTile(
        "sent_this_hour",
        status.maxHour === undefined ? status.sentHour : `${status.sentHour ?? 0} / ${status.maxHour}`,
        atHour ? "at-cap" : "",
      ),
      countTile("failed_today", status.failedToday),
    ]);
    const reasons = Object.entries(status.skippedByReason)
      .filter(([, count]) => count > 0)
      .sort(([a], [b]) => a.localeCompare(b));
    replace(
      skipped,
      reasons.map(([reason, count]) => countTile(reason, count)),
    );
    skippedBox.hidden = reasons.length === 0;
    housekeeping.textContent = describeHousekeeping(status.housekeeping);
    // Every pause DeviantArt (or we) imposed, in the server's words: text only.
    replace(
      waits,
      status.waits.map((wait) => el("li", { dataset: { scope: wait.scope }, text: wait.reason })),
    );
    waits.hidden = status.waits.length === 0;
    const wantsRunning = (worker.desired || worker.state) === "running";
    startButton.disabled = wantsRunning;
    stopButton.disabled = !wantsRunning;
    return status;
  }

  async function act(action, success) {
    try {
      await action();
      flash(message, success, "ok");
    } catch (error) {
      flash(message, describeError(error), "error");
    }
    if (onChanged) onChanged();
  }

  async function start() {
    try {
      await api.post(`${API}/worker/start`, {});
      flash(message, "Worker started.", "ok");
    } catch (error) {
      // Posting without review needs the artist's explicit, one-time yes.
      if (error instanceof ApiError && error.status === 409 && /review/i.test(error.message)) {
        if (window.confirm(`${error.message}\n\nStart anyway?`)) {
          await act(
            () => api.post(`${API}/worker/start`, { confirm_unreviewed: true }),
            "Worker started.",
          );
          return;
        }
      }
      flash(message, describeError(error), "error");
    }
    if (onChanged) onChanged();
  }

  startButton.addEventListener("click", start);
  stopButton.addEventListener("click", () => act(() => api.post(`${API}/worker/stop`, {}), "Worker stopped."));
  byId("reset-failed").addEventListener("click", () =>
    act(() => api.post(`${API}/reset-failed`, {}), "Failed rows are pending again."),
  );

  return { render };
}

// What needs the artist (review waiting, unread replies, a reconnect, DeviantArt's pauses,
// rows to settle), each a link to where it is done; and, while nothing was ever posted, the
// first steps in order with the state of each.

import { api, API } from "./api.js";
import { byId, el, replace } from "./dom.js";

function plural(count, one, many) {
  return `${count} ${count === 1 ? one : many}`;
}

/** Where a wait is dealt with: unverifiable rows in the queue, the rest in the log. */
function waitTarget(wait) {
  return String(wait.scope || "").startsWith("gone:") ? "#queue" : "#log";
}

/** The list of { text, href, kind } that need the artist, most urgent first. */
export function needsOf(status) {
  const needs = [];
  const account = status.account || {};
  const counts = status.counts || {};
  if (account.connected && account.reauth_required) {
    needs.push({ kind: "reconnect", text: "Reconnect your DeviantArt account", href: "/auth/login" });
  } else if (!account.connected && account.client_configured === false) {
    needs.push({ kind: "setup", text: "Register a DeviantArt app to connect", href: "#setup-help" });
  } else if (!account.connected) {
    needs.push({ kind: "connect", text: "Connect your DeviantArt account", href: "/auth/login" });
  }
  const inbox = status.inbox || {};
  if (account.connected && !account.reauth_required && inbox.reconnect_to_read_replies) {
    needs.push({ kind: "reconnect-inbox", text: "Reconnect to read replies", href: "/auth/login" });
  }
  for (const wait of status.waits || []) {
    needs.push({ kind: "wait", text: `DeviantArt pause: ${wait.reason}`, href: waitTarget(wait) });
  }
  if (status.worker && ["paused", "blocked"].includes(status.worker.state)) {
    needs.push({ kind: "worker", text: "The worker stopped on its own: see why and start it again", href: "#worker-start" });
  }
  if (counts.awaiting_review > 0) {
    needs.push({
      kind: "review",
      text: `${plural(counts.awaiting_review, "comment awaits", "comments await")} your review`,
      href: "#review",
    });
  }
  if (inbox.unread > 0) {
    needs.push({
      kind: "inbox",
      text: `${plural(inbox.unread, "reply", "replies")} to your comments unread`,
      href: "#inbox",
    });
  }
  if (counts.unknown > 0) {
    needs.push({
      kind: "unknown",
      text: `${plural(counts.unknown, "comment", "comments")} could not be verified: settle in the queue`,
      href: "#queue",
    });
  }
  return needs;
}

/** The five first steps, in order, each { id, text, href, done, state }. */
export function firstSteps(status, templateCount) {
  const account = status.account || {};
  const counts = status.counts || {};
  const queued = Object.values(counts).reduce((sum, n) => sum + (Number(n) || 0), 0);
  const connected = Boolean(account.connected && !account.reauth_required);
  const collected = queued > 0 || (status.collectRuns || []).length > 0;
  const waiting = counts.awaiting_review || 0;
  const running = (status.worker.desired || status.worker.state) === "running";
  return [
    {
      id: "connect",
      text: "Connect your DeviantArt account",
      href: account.client_configured === false ? "#setup-help" : "/auth/login",
      done: connected,
      state: connected ? "done" : "to do",
    },
    {
      id: "template",
      text: "Write a comment template",
      href: "#templates",
      done: templateCount > 0,
      state: templateCount > 0 ? `done (${plural(templateCount, "template", "templates")})` : "to do",
    },
    {
      id: "collect",
      text: "Collect deviations from a feed",
      href: "#collect",
      done: collected,
      state: collected ? `done (${plural(queued, "deviation", "deviations")} queued)` : "to do",
    },
    {
      id: "review",
      text: "Review the comments held for you",
      href: "#review",
      done: false,
      state: waiting > 0 ? `${waiting} waiting` : "none yet: the worker prepares them",
    },
    {
      id: "worker",
      text: "Start the worker",
      href: "#worker-start",
      done: running,
      state: running ? "done" : "to do",
    },
  ];
}

/** Wire up the needs list and the first steps; returns { render(status, {changed}), forget() }. */
export function initNeedsYou() {
  const list = byId("needs-you-list");
  const none = byId("needs-you-none");
  const stepsBox = byId("first-steps");
  const steps = byId("first-steps-list");
  let templateCount = null;
  let lastKey = "";

  async function countTemplates() {
    const templates = (await api.get(`${API}/messages`)) || [];
    templateCount = (Array.isArray(templates) ? templates : templates.items || []).length;
  }

  async function render(status, { changed }) {
    const needs = needsOf(status);
    // A fresh install (or the demo): nothing ever posted. The steps say what to do, in order.
    const fresh = !(status.counts && status.counts.commented > 0) && !(status.sentToday > 0);
    if (fresh && (templateCount === null || changed)) await countTemplates();
    const stepList = fresh ? firstSteps(status, templateCount || 0) : [];
    // Redraw only on a change: a link under the keyboard focus stays where it is.
    const key = JSON.stringify([needs, stepList]);
    if (key === lastKey) return;
    lastKey = key;
    replace(
      list,
      needs.map((need) =>
        el("li", { dataset: { need: need.kind } }, [el("a", { href: need.href, text: need.text })]),
      ),
    );
    none.hidden = needs.length > 0;
    stepsBox.hidden = !fresh;
    replace(
      steps,
      stepList.map((step) =>
        el("li", { class: step.done ? "step done" : "step", dataset: { step: step.id } }, [
          el("a", { href: step.href, text: step.text }),
          el("span", { class: "step-state", text: step.state }),
        ]),
      ),
    );
  }

  return {
    render,
    /** Count the templates again at the next render (they may have changed elsewhere). */
    forget() {
      templateCount = null;
      lastKey = "";
    },
  };
}

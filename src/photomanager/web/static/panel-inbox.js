// The inbox: replies to our comments (or, in the "other" view, watches, faves and comments),
// newest first, paged by cursor. Each reply shows who wrote it, its text, our comment it
// answers and the deviation; "Mark read", and an answer box: the artist types the answer and
// posts it, once. Nothing here ever answers on its own.
// Every piece of third-party text (usernames, titles, bodies) goes in as text, never as HTML.

import { api, API, describeError, query } from "./api.js";
import { byId, el, flash, replace } from "./dom.js";
import { formatTime } from "./format.js";

const LIMIT = 20;
const INBOX = `${API}/inbox`;
const STATUS_WORDS = { unread: "unread", read: "read", answered: "answered" };
const ANSWER_WORDS = {
  sending: "being posted",
  sent: "posted",
  unknown: "DeviantArt did not confirm it: checked before anything else",
  failed: "not delivered, you may post it again",
};
const OTHER_WORDS = {
  watch: "started watching you",
  favourite: "faved",
  collect: "added to a collection",
  comment: "commented on",
  reply: "replied to your comment on",
  other: "sent a message DeviantArt's API does not describe",
};

/**
 * A link to the deviation only when it is an https URL on deviantart.com: the text comes from
 * a third party, and anything else (javascript:, another host) is shown as plain text.
 */
export function deviationHref(url) {
  if (typeof url !== "string") return null;
  try {
    const parsed = new URL(url);
    const host = parsed.hostname.toLowerCase();
    const ours = host === "deviantart.com" || host.endsWith(".deviantart.com");
    return parsed.protocol === "https:" && ours && !parsed.username ? parsed.href : null;
  } catch {
    return null;
  }
}

function deviationNode(item) {
  const title = item.deviation_title || "a deviation";
  const href = deviationHref(item.deviation_url);
  return href
    ? el("a", { class: "inbox-deviation", href, rel: "noopener noreferrer", text: title })
    : el("span", { class: "inbox-deviation", text: title });
}

function when(item) {
  return el("time", {
    class: "inbox-when",
    datetime: item.received_at,
    text: formatTime(item.received_at),
  });
}

/** Wire up the inbox; returns { load(), refreshIfIdle(), setStatus(inbox) }. */
export function initInbox({ onChanged = () => {} } = {}) {
  const list = byId("inbox-list");
  const empty = byId("inbox-empty");
  const more = byId("inbox-more");
  const filter = byId("inbox-filter");
  const kind = byId("inbox-kind");
  const message = byId("inbox-flash");
  let cursor = null;
  let loading = null;

  function say(text, kindOfFlash = "info") {
    flash(message, text, kindOfFlash);
  }

  /** An answer box open (being typed, or posting): a background refresh must not wipe it. */
  function busy() {
    return Array.from(list.querySelectorAll(".inbox-answer")).some(
      (form) => !form.hidden || form.getAttribute("aria-busy") === "true",
    );
  }

  function header(item) {
    const from = el("strong", { class: "inbox-from", text: item.from || "someone" });
    const status = el("span", {
      class: `status-pill status-${item.status}`,
      text: STATUS_WORDS[item.status] || item.status,
    });
    if (item.kind === "reply") {
      return el("p", { class: "inbox-head" }, [
        from,
        " replied on ",
        deviationNode(item),
        " · ",
        when(item),
        " ",
        status,
      ]);
    }
    const words = OTHER_WORDS[item.kind] || OTHER_WORDS.other;
    const parts = [from, ` ${words}`];
    if (item.deviationid && item.kind !== "watch") parts.push(" ", deviationNode(item));
    return el("p", { class: "inbox-head" }, [...parts, " · ", when(item), " ", status]);
  }

  function answerNode(item) {
    const answer = item.answer;
    if (!answer) return null;
    const state = ANSWER_WORDS[answer.state] || answer.state;
    return el("div", { class: `inbox-answered answer-${answer.state}` }, [
      el("p", { class: "inbox-label", text: `Your answer (${state}):` }),
      el("p", { class: "inbox-answer-text", text: answer.body }),
      answer.error ? el("p", { class: "field-error", text: answer.error }) : null,
    ]);
  }

  function answerForm(item, node) {
    const boxId = `inbox-answer-${item.id}`;
    const errorId = `${boxId}-error`;
    const box = el("textarea", {
      id: boxId,
      name: "body",
      rows: 3,
      required: true,
      "aria-describedby": errorId,
    });
    const error = el("p", { class: "field-error", id: errorId, role: "alert", hidden: true });
    const submit = el("button", { type: "submit", class: "primary", text: "Post answer" });
    const cancel = el("button", { type: "button", text: "Cancel" });
    const form = el("form", { class: "inbox-answer", hidden: true, novalidate: true }, [
      el("label", { for: boxId, text: `Your answer to ${item.from || "the deviant"}` }),
      box,
      error,
      el("div", { class: "actions" }, [submit, cancel]),
    ]);
    const open = el("button", {
      type: "button",
      class: "inbox-open-answer",
      "aria-expanded": "false",
      "aria-controls": `inbox-form-${item.id}`,
      text: "Answer…",
    });
    form.id = `inbox-form-${item.id}`;

    function toggle(show) {
      form.hidden = !show;
      open.setAttribute("aria-expanded", String(show));
      if (show) box.focus();
      else open.focus();
    }
    open.addEventListener("click", () => toggle(form.hidden));
    cancel.addEventListener("click", () => {
      box.value = "";
      error.hidden = true;
      toggle(false);
    });
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (form.getAttribute("aria-busy") === "true") return; // one answer per click
      const body = box.value;
      if (!body.trim()) {
        error.textContent = "Type your answer first.";
        error.hidden = false;
        box.setAttribute("aria-invalid", "true");
        box.focus();
        return;
      }
      form.setAttribute("aria-busy", "true");
      submit.disabled = true;
      error.hidden = true;
      box.removeAttribute("aria-invalid");
      try {
        const updated = await api.post(`${INBOX}/${item.id}/reply`, { body });
        const unsure = updated && updated.answer && updated.answer.state === "unknown";
        const fresh = render(updated || item);
        node.replaceWith(fresh);
        // The form is gone: the focus goes to the item, which now shows the answer.
        fresh.setAttribute("tabindex", "-1");
        fresh.focus();
        say(
          unsure
            ? "DeviantArt did not confirm your answer: photomanager checks whether it landed before anything else."
            : `Answer posted under ${item.from || "the deviant"}'s reply.`,
          unsure ? "info" : "ok",
        );
        onChanged();
      } catch (failure) {
        const code = failure && failure.code;
        error.textContent =
          code === "already_answered"
            ? `Not posted: ${describeError(failure)}. Refresh to see it.`
            : `Not posted: ${describeError(failure)}`;
        error.hidden = false;
        box.setAttribute("aria-invalid", "true");
      } finally {
        form.removeAttribute("aria-busy");
        submit.disabled = false;
      }
    });
    return { open, form };
  }

  function render(item) {
    const node = el("li", {
      class: `inbox-item status-${item.status}`,
      dataset: { id: String(item.id), status: item.status, kind: item.kind },
    });
    const children = [header(item)];
    if (item.kind === "reply" || item.reply_body) {
      children.push(el("p", { class: "inbox-reply", text: item.reply_body || "" }));
    }
    if (item.our_comment_body) {
      children.push(
        el("div", { class: "inbox-ours" }, [
          el("p", { class: "inbox-label", text: "Your comment:" }),
          el("p", { class: "inbox-ours-text", text: item.our_comment_body }),
        ]),
      );
    }
    const answered = answerNode(item);
    if (answered) children.push(answered);
    const actions = el("div", { class: "actions inbox-actions" });
    if (item.status === "unread") {
      const read = el("button", { type: "button", class: "inbox-read", text: "Mark read" });
      read.addEventListener("click", async () => {
        read.disabled = true;
        try {
          const updated = await api.post(`${INBOX}/${item.id}/read`, {});
          const fresh = render(updated || { ...item, status: "read" });
          node.replaceWith(fresh);
          fresh.querySelector("button")?.focus();
          onChanged();
        } catch (failure) {
          read.disabled = false;
          say(`Could not mark it read: ${describeError(failure)}`, "error");
        }
      });
      actions.append(read);
    }
    const canAnswer =
      item.kind === "reply" && item.reply_commentid && (!item.answer || item.answer.state === "failed");
    let form = null;
    if (canAnswer) {
      const parts = answerForm(item, node);
      actions.append(parts.open);
      form = parts.form;
    }
    if (actions.childNodes.length) children.push(actions);
    if (form) children.push(form);
    replace(node, children);
    return node;
  }

  function params(next) {
    return query({ status: filter.value, kind: kind.value, limit: LIMIT, cursor: next });
  }

  /** Show the first page; `background`: skip it if an answer box opened meanwhile. */
  async function load({ background = false } = {}) {
    const request = api.get(`${INBOX}${params(null)}`);
    loading = request;
    const page = await request;
    if (loading !== request) return; // a newer load (another filter) won
    loading = null;
    if (background && busy()) return;
    const items = (page && page.items) || [];
    cursor = (page && page.next_cursor) || null;
    replace(list, items.map(render));
    empty.hidden = items.length > 0;
    empty.textContent =
      kind.value === "other" ? "No other message here yet." : "No replies here yet.";
    more.hidden = !cursor;
  }

  async function loadMore() {
    if (!cursor) return;
    more.disabled = true;
    try {
      const page = await api.get(`${INBOX}${params(cursor)}`);
      const items = (page && page.items) || [];
      const known = new Set(Array.from(list.children, (node) => node.dataset.id));
      list.append(...items.filter((item) => !known.has(String(item.id))).map(render));
      cursor = (page && page.next_cursor) || null;
      more.hidden = !cursor;
    } catch (failure) {
      say(`Could not load more: ${describeError(failure)}`, "error");
    } finally {
      more.disabled = false;
    }
  }

  const reload = (options) =>
    load(options).catch((failure) =>
      say(`Could not load the inbox: ${describeError(failure)}`, "error"),
    );
  filter.addEventListener("change", () => reload());
  kind.addEventListener("change", () => reload());
  byId("inbox-refresh").addEventListener("click", () => reload());
  more.addEventListener("click", loadMore);

  return {
    load,
    /** Reload unless the artist is writing an answer (it would be wiped). */
    refreshIfIdle: () => (busy() ? undefined : reload({ background: true })),
  };
}

// Review: the comments the worker rendered for reviewed sources, waiting for the artist.
// Approve (optionally edited), skip, or approve every comment in view; by mouse, touch or keys:
// j/k move, a approves, s skips, e edits (Enter saves, Esc cancels), ? shows the keys.
// A decision removes its item and moves the focus to the next one; a refresh keeps the items
// in place (new ones join at the end), so nothing jumps under the artist's eyes.
// Text only via textContent: titles, usernames, tags and comments are third-party text.

import { api, API, describeError, query } from "./api.js";
import { deviationMeta } from "./deviation-meta.js";
import { byId, el, safeHref } from "./dom.js";

const LIMIT = 50;
const REVIEW = `${API}/review`;
const THUMB_PX = 96;

function isTextField(node) {
  return (
    node instanceof HTMLElement &&
    (node.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(node.tagName))
  );
}

/** The deviation's thumbnail, or an empty box of the same size (the layout never shifts). */
function thumbnail(entry) {
  // The server keeps only https URLs on DeviantArt's image host (or the sandbox's own), and
  // the Content-Security-Policy loads nothing else: this check only keeps the markup honest.
  const src = safeHref(entry.thumbnail_url);
  if (!src) {
    return el("div", { class: "review-thumb placeholder", "aria-hidden": "true" });
  }
  const image = el("img", {
    class: "review-thumb",
    src,
    alt: "",
    width: THUMB_PX,
    height: THUMB_PX,
    loading: "lazy",
    decoding: "async",
    referrerpolicy: "no-referrer",
  });
  image.addEventListener("error", () => image.classList.add("broken"));
  return image;
}

/** Wire up the review panel; returns { load }. */
export function initReview({ onChanged = () => {} } = {}) {
  const list = byId("review-list");
  const empty = byId("review-empty");
  const message = byId("review-message");
  const approveAll = byId("review-approve-all");
  const keys = byId("review-keys");
  const keysToggle = byId("review-keys-toggle");
  const section = list.closest("[data-section]");
  // deviationid -> { entry, node, text, editor, edited }
  const items = new Map();
  const decided = new Set(); // decisions sent: a refresh in flight must not bring them back
  let currentId = null;
  let latest = 0;

  function say(text) {
    message.textContent = text;
  }

  /** The ids of the items in the list, top to bottom (hidden ones: decisions on their way). */
  function order() {
    return Array.from(list.children).map((node) => node.dataset.deviationid);
  }

  function shownOrder() {
    return Array.from(list.children)
      .filter((node) => !node.hidden)
      .map((node) => node.dataset.deviationid);
  }

  function setCurrent(id, { focus = true } = {}) {
    if (!items.has(id)) return;
    if (currentId && items.has(currentId)) items.get(currentId).node.tabIndex = -1;
    currentId = id;
    const { node } = items.get(id);
    node.tabIndex = 0;
    if (focus) {
      node.focus({ preventScroll: true });
      node.scrollIntoView({ block: "nearest" });
    }
  }

  function move(step) {
    const ids = shownOrder();
    if (!ids.length) return;
    const at = ids.indexOf(currentId);
    const next = at === -1 ? 0 : Math.min(ids.length - 1, Math.max(0, at + step));
    setCurrent(ids[next]);
  }

  function bodyOf(state) {
    return state.edited ?? state.entry.body ?? "";
  }

  function startEdit(id) {
    const state = items.get(id);
    if (!state) return;
    setCurrent(id, { focus: false });
    state.editor.value = bodyOf(state);
    state.editBox.hidden = false;
    state.text.hidden = true;
    state.editor.focus();
    state.editor.setSelectionRange(state.editor.value.length, state.editor.value.length);
  }

  function endEdit(id, save) {
    const state = items.get(id);
    if (!state) return;
    if (save) {
      const value = state.editor.value;
      state.edited = value !== (state.entry.body || "") ? value : null;
      state.text.textContent = bodyOf(state);
      state.node.classList.toggle("edited", state.edited !== null);
      state.mark.hidden = state.edited === null;
      say(state.edited !== null ? "Edit kept: press a to approve it." : "Text unchanged.");
    }
    state.editBox.hidden = true;
    state.text.hidden = false;
    setCurrent(id);
  }

  /**
   * Send one decision. The item leaves at once and the focus moves to the next one, so the
   * artist can go on typing; should the server refuse, the item comes back with the reason.
   */
  async function decide(id, kind) {
    const state = items.get(id);
    if (!state || decided.has(id)) return;
    decided.add(id);
    const title = state.entry.title || id;
    const hadFocus = state.node.contains(document.activeElement);
    const next = neighbour(id);
    state.node.hidden = true;
    if (next) setCurrent(next, { focus: hadFocus });
    try {
      if (kind === "approve") {
        const edited = state.edited !== null ? { body: state.edited } : {};
        await api.post(`${REVIEW}/${id}/approve`, edited);
      } else {
        await api.post(`${REVIEW}/${id}/skip`, {});
      }
    } catch (error) {
      decided.delete(id);
      state.node.hidden = false;
      setCurrent(id, { focus: hadFocus });
      say(`${title}: ${describeError(error)}`);
      return;
    }
    say(kind === "approve" ? `Approved: ${title}.` : `Skipped: ${title}.`);
    remove(id);
    onChanged();
  }

  /** The item after `id` (or before it, at the end) among those still shown. */
  function neighbour(id) {
    const shown = order().filter((other) => other === id || !items.get(other).node.hidden);
    const at = shown.indexOf(id);
    return shown[at + 1] || shown[at - 1] || null;
  }

  function remove(id) {
    const state = items.get(id);
    if (!state) return;
    const hadFocus = state.node.contains(document.activeElement);
    const next = neighbour(id);
    state.node.remove();
    items.delete(id);
    if (currentId === id) currentId = null;
    if (next && (hadFocus || currentId === null)) setCurrent(next, { focus: hadFocus });
    afterChange();
  }

  function afterChange() {
    const count = shownOrder().length;
    empty.hidden = count > 0;
    approveAll.disabled = count === 0;
  }

  function item(entry) {
    const id = entry.deviationid;
    const titleId = `review-title-${id}`;
    const editorId = `review-body-${id}`;
    const title = entry.title || id;
    const author = entry.author || "unknown";
    const href = safeHref(entry.url);
    const text = el("p", { class: "review-text", text: entry.body || "" });
    const editor = el("textarea", { id: editorId, rows: 3, maxlength: 5000 });
    const mark = el("span", { class: "badge badge-warn", text: "edited", hidden: true });
    const editBox = el("div", { class: "review-edit", hidden: true }, [
      el("label", { for: editorId, text: `Comment for "${title}" by ${author} (Enter saves, Esc cancels)` }),
      editor,
    ]);
    const node = el(
      "li",
      {
        class: "review-item",
        tabindex: -1,
        "aria-labelledby": titleId,
        dataset: { deviationid: id },
      },
      [
        thumbnail(entry),
        el("div", { class: "review-main" }, [
          el("p", { class: "review-deviation", id: titleId }, [
            href
              ? el("a", { href, target: "_blank", rel: "noopener noreferrer", class: "review-link", text: title })
              : el("span", { class: "review-link", text: title }),
            el("span", { class: "review-author" }, [" by ", el("span", { class: "author", text: author })]),
          ]),
          deviationMeta(entry, { source: true }),
          el("div", { class: "review-comment" }, [
            el("span", { class: "visually-hidden", text: "Comment to post: " }),
            mark,
            text,
          ]),
          editBox,
          el("div", { class: "toolbar review-actions" }, [
            el("button", {
              type: "button",
              class: "primary",
              text: "Approve",
              "aria-label": `Approve: ${title}`,
              onclick: () => decide(id, "approve"),
            }),
            el("button", {
              type: "button",
              text: "Edit",
              "aria-label": `Edit: ${title}`,
              onclick: () => startEdit(id),
            }),
            el("button", {
              type: "button",
              class: "danger",
              text: "Skip",
              "aria-label": `Skip: ${title}`,
              onclick: () => decide(id, "skip"),
            }),
          ]),
        ]),
      ],
    );
    node.addEventListener("focusin", () => setCurrent(id, { focus: false }));
    editor.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        endEdit(id, true);
      } else if (event.key === "Escape") {
        event.preventDefault();
        event.stopPropagation();
        endEdit(id, false);
      }
    });
    items.set(id, { entry, node, text, editor, editBox, mark, edited: null });
    return node;
  }

  async function load() {
    const seq = ++latest;
    const page = await api.get(`${REVIEW}${query({ limit: LIMIT })}`);
    if (seq !== latest) return; // a newer load is on its way
    const entries = ((page && page.items) || []).filter((entry) => !decided.has(entry.deviationid));
    const fresh = new Set(entries.map((entry) => entry.deviationid));
    for (const id of decided) if (!fresh.has(id)) decided.delete(id);
    for (const id of Array.from(items.keys())) {
      if (!fresh.has(id)) remove(id);
    }
    // Known items stay where they are; new ones join at the end.
    const added = entries.filter((entry) => !items.has(entry.deviationid)).map(item);
    list.append(...added);
    if (currentId === null && shownOrder().length) setCurrent(shownOrder()[0], { focus: false });
    afterChange();
  }

  function toggleKeys(show = keys.hidden) {
    keys.hidden = !show;
    keysToggle.setAttribute("aria-expanded", String(show));
  }

  document.addEventListener("keydown", (event) => {
    if (!section || section.hidden) return;
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    if (isTextField(event.target)) return;
    // A decision acts on the item that has the focus; from elsewhere a key first brings the
    // focus to the current item, so nothing is decided unseen.
    const inList = currentId !== null && list.contains(document.activeElement);
    const onCurrent = (act) => () => (inList ? act(currentId) : move(0));
    const actions = {
      j: () => move(inList ? 1 : 0),
      k: () => move(inList ? -1 : 0),
      a: onCurrent((id) => decide(id, "approve")),
      s: onCurrent((id) => decide(id, "skip")),
      e: onCurrent(startEdit),
      "?": () => toggleKeys(),
      Escape: () => toggleKeys(false),
    };
    const action = actions[event.key];
    if (!action) return;
    if (event.key === "Escape" && keys.hidden) return;
    event.preventDefault();
    action();
  });

  approveAll.addEventListener("click", () => {
    const ids = shownOrder().filter((id) => !decided.has(id));
    if (!ids.length) return;
    if (!window.confirm(`Approve all ${ids.length} comments shown, as they are?`)) return;
    api
      .post(`${REVIEW}/approve-all`, { deviationids: ids })
      .then(() => {
        say("Approved every comment shown.");
        for (const id of ids) remove(id);
        onChanged();
      })
      .catch((error) => say(describeError(error)));
  });
  keysToggle.addEventListener("click", () => toggleKeys());
  byId("review-refresh").addEventListener("click", () => load().catch(() => {}));
  return { load };
}

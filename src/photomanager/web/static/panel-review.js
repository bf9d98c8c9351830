// Review: the comments the worker rendered for reviewed sources, waiting for the artist.
// Approve (optionally edited), skip, or approve every comment in view. Text only via textContent.

import { api, API, describeError, query } from "./api.js";
import { deviationMeta } from "./deviation-meta.js";
import { byId, el, safeHref } from "./dom.js";

const LIMIT = 50;
const REVIEW = `${API}/review`;

/** Wire up the review panel; returns { load }. */
export function initReview({ onChanged = () => {} } = {}) {
  const list = byId("review-list");
  const empty = byId("review-empty");
  const message = byId("review-message");
  const approveAll = byId("review-approve-all");
  let shown = [];

  function say(text) {
    message.textContent = text;
  }

  async function act(promise, done) {
    try {
      await promise;
      say(done);
      onChanged();
      await load();
    } catch (error) {
      say(describeError(error));
    }
  }

  function item(entry) {
    const id = `review-body-${entry.deviationid}`;
    const text = el("textarea", { id, rows: 3, maxlength: 5000 });
    text.value = entry.body || "";
    const title = entry.title || entry.deviationid;
    const href = safeHref(entry.url);
    return el("li", { class: "review-item", dataset: { deviationid: entry.deviationid } }, [
      el("p", { class: "review-deviation" }, [
        href
          ? el("a", { href, target: "_blank", rel: "noopener noreferrer", text: title })
          : el("span", { text: title }),
        ` by ${entry.author || "unknown"}`,
      ]),
      deviationMeta(entry, { source: true }),
      el("label", { for: id, text: `Comment for "${title}" by ${entry.author || "unknown"}` }),
      text,
      el("div", { class: "toolbar" }, [
        el("button", {
          type: "button",
          text: "Approve",
          onclick: () => {
            const edited = text.value !== (entry.body || "") ? { body: text.value } : {};
            act(api.post(`${REVIEW}/${entry.deviationid}/approve`, edited), "Approved.");
          },
        }),
        el("button", {
          type: "button",
          class: "danger",
          text: "Skip",
          onclick: () => act(api.post(`${REVIEW}/${entry.deviationid}/skip`, {}), "Skipped."),
        }),
      ]),
    ]);
  }

  async function load() {
    const page = await api.get(`${REVIEW}${query({ limit: LIMIT })}`);
    shown = (page && page.items) || [];
    list.replaceChildren(...shown.map(item));
    empty.hidden = shown.length > 0;
    approveAll.disabled = shown.length === 0;
  }

  approveAll.addEventListener("click", () => {
    if (!shown.length) return;
    if (!window.confirm(`Approve all ${shown.length} comments shown, as they are?`)) return;
    const deviationids = shown.map((entry) => entry.deviationid);
    act(api.post(`${REVIEW}/approve-all`, { deviationids }), "Approved every comment shown.");
  });
  byId("review-refresh").addEventListener("click", () => load().catch(() => {}));
  return { load };
}

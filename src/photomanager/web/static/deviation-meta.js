// The small muted line under a deviation's title in the queue and the review panel: its
// source, its language and its tags. Tags are third-party text: they go in as text only.

import { el } from "./dom.js";
import { languageName, sourceLabel, tagLine } from "./format.js";

const MAX_TAGS = 6;

/**
 * `<span class="deviation-meta">` with the parts an item has (source only when asked for);
 * null when there is nothing to show.
 */
export function deviationMeta(item, { source = false } = {}) {
  const parts = [];
  if (source && item.source) {
    parts.push(el("span", { class: "meta-source", text: sourceLabel(item.source) }));
  }
  if (item.language) {
    const name = languageName(item.language);
    parts.push(
      el("span", { class: "meta-language", title: `Language: ${name}` }, [
        el("span", { class: "visually-hidden", text: "Language: " }),
        item.language,
      ]),
    );
  }
  const tags = tagLine(item.tags, MAX_TAGS);
  if (tags.text) {
    parts.push(
      el("span", { class: "meta-tags", title: tags.full }, [
        el("span", { class: "visually-hidden", text: "Tags: " }),
        tags.text,
      ]),
    );
  }
  return parts.length ? el("span", { class: "deviation-meta" }, parts) : null;
}

// The section registry: the navigation bar, the router and the poller read this list, in order.
//
// Adding a section: write `section-NAME.js` (its default export is a section, see below), import
// it here and put it in SECTIONS where it belongs in the bar. Its markup may live in index.html
// (`<div id="section-NAME" class="section" data-section="NAME" hidden>`) or be built by the module
// into the empty container the router creates when there is none.
//
// A section is { id, title, count?, init }:
//   id     the URL hash (`#id`) and the `data-section` of its container;
//   title  its name in the bar and in the document title;
//   count(status) -> { value, label } | null (may be async): the number the bar shows next to
//          the title ("3", read "3 awaiting review"); null or a value of 0 shows none. `status`
//          is the raw /status answer the bar polls anyway; a count that needs more must keep its
//          own request small (e.g. `limit=1`);
//   init({ container, poke, navigate }) -> { enter(), poll(status, { changed }) }:
//          `enter()` runs whenever the section becomes visible (load what it shows);
//          `poll()` runs on every status poll while it is visible (`changed`: the queue counts
//          moved since the previous poll). Hidden sections are never polled.

import collect from "./section-collect.js";
import inbox from "./section-inbox.js";
import log from "./section-log.js";
import outcomes from "./section-outcomes.js";
import overview from "./section-overview.js";
import queue from "./section-queue.js";
import review from "./section-review.js";
import settings from "./section-settings.js";
import templates from "./section-templates.js";

export const SECTIONS = [
  overview,
  review,
  inbox,
  queue,
  collect,
  templates,
  outcomes,
  log,
  settings,
];

/** The section shown when the URL names none. */
export const DEFAULT_SECTION = "overview";

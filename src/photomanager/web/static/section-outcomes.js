// Outcomes: the table by template, feed or week with honest intervals, and the weekly chart.

import { describeError } from "./api.js";
import { byId, flash } from "./dom.js";
import { describeLastPoll, pollKey } from "./inbox-poll.js";
import { initOutcomes } from "./panel-outcomes.js";

export default {
  id: "outcomes",
  title: "Outcomes",
  init() {
    const outcomes = initOutcomes();
    const lastPoll = byId("outcomes-last-poll");
    const message = byId("outcomes-flash");
    let seen = null;

    const reload = () =>
      outcomes
        .load()
        .then(() => flash(message, ""))
        .catch((error) => flash(message, `Could not load the outcomes: ${describeError(error)}`, "error"));
    outcomes.groupBy.addEventListener("change", reload);
    byId("outcomes-refresh").addEventListener("click", reload);

    return {
      enter() {
        seen = null;
        return outcomes.load();
      },
      poll(status, { changed }) {
        const part = (status && status.inbox) || null;
        const words = describeLastPoll(part);
        if (lastPoll.textContent !== words) lastPoll.textContent = words;
        // New figures come with a read of the message center or a comment sent.
        const key = pollKey(part);
        const moved = seen !== null && key !== seen;
        seen = key;
        return moved || changed ? reload() : undefined;
      },
    };
  },
};

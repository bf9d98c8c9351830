// Inbox: the replies to our comments, answered by hand; the unread count in the bar, the
// message center's last read and "Check now", and "reconnect to read replies" when needed.

import { describeError } from "./api.js";
import { byId, flash } from "./dom.js";
import { checkNow, describeLastPoll, pollKey } from "./inbox-poll.js";
import { initInbox } from "./panel-inbox.js";

export default {
  id: "inbox",
  title: "Inbox",
  // From the status the bar polls anyway: no request of its own.
  count: (status) => ({
    value: (status && status.inbox && status.inbox.unread) || 0,
    label: "unread replies",
  }),
  init({ poke }) {
    const inbox = initInbox({ onChanged: poke });
    const reconnect = byId("inbox-reconnect");
    const lastPoll = byId("inbox-last-poll");
    const check = byId("inbox-check");
    const message = byId("inbox-flash");
    let seen = null;
    let checking = false; // "Check now" asked: say what the read found once it ends

    check.addEventListener("click", async () => {
      check.disabled = true;
      try {
        flash(message, await checkNow(), "info");
        checking = true;
        poke();
      } catch (error) {
        flash(message, `Could not ask for a check: ${describeError(error)}`, "error");
      } finally {
        check.disabled = false;
      }
    });

    return {
      enter() {
        seen = null;
        return inbox.load();
      },
      poll(status) {
        const part = (status && status.inbox) || null;
        reconnect.hidden = !(part && part.reconnect_to_read_replies);
        const words = describeLastPoll(part);
        if (lastPoll.textContent !== words) lastPoll.textContent = words;
        // The list follows the reads of the message center (and the unread count), not the clock.
        const key = pollKey(part);
        if (seen !== null && key !== seen) {
          inbox.refreshIfIdle();
          if (checking) {
            const found = (part && part.last_poll && part.last_poll.new) || 0;
            flash(message, `Checked: ${found} new ${found === 1 ? "message" : "messages"}.`, "ok");
            checking = false;
          }
        }
        seen = key;
      },
    };
  },
};

// The message center's poll as the artist sees it: when it last ran and what it found, and
// "Check now" (POST outcomes/refresh). Shared by Inbox and Outcomes; fed by the status poll.

import { api, API } from "./api.js";
import { formatTime } from "./format.js";

/** True when time `a` is after time `b` (ISO strings; a missing `b` counts as long ago). */
function after(a, b) {
  if (!a) return false;
  return !b || new Date(a).getTime() > new Date(b).getTime();
}

function plural(count, one, many) {
  return `${count} ${count === 1 ? one : many}`;
}

/** The last poll in words (`inbox` is the `inbox` part of /status, or null). */
export function describeLastPoll(inbox) {
  if (!inbox || !inbox.last_poll) return "not read yet";
  const poll = inbox.last_poll;
  if (inbox.reconnect_to_read_replies) return "not read: reconnect to read replies";
  const parts = [];
  const started = after(poll.started_at, poll.finished_at);
  if (started) parts.push(`reading since ${formatTime(poll.started_at)}…`);
  if (poll.finished_at) {
    const found = `${plural(poll.found, "message", "messages")}, ${poll.new} new, ${poll.credited} credited to your comments`;
    parts.push(`last checked ${formatTime(poll.finished_at)}: ${found}`);
  } else if (!started) {
    parts.push("not checked yet");
  }
  if (poll.error) parts.push(`the last check failed: ${poll.error}`);
  if (poll.catching_up) parts.push("older messages are still being read, a few pages at a time");
  if (poll.requested_at && !started) {
    if (after(poll.requested_at, poll.finished_at)) parts.push(`a check was asked for at ${formatTime(poll.requested_at)}`);
  }
  if (poll.poll_minutes === 0) parts.push("automatic checks are off");
  else if (poll.poll_minutes) parts.push(`checked every ${poll.poll_minutes} min or so`);
  return parts.join("; ");
}

/** Ask for a read of the message center now; returns a sentence saying who does it. */
export async function checkNow() {
  const answer = await api.post(`${API}/outcomes/refresh`, {});
  return answer && answer.by === "worker"
    ? "Asked: the worker reads your message center in its next pause."
    : "Reading your message center now…";
}

/**
 * A key that changes whenever a read of the message center ends (what the inbox and the
 * outcomes show may have moved). The artist's own "mark read" does not change it: an item
 * read on the page stays where it is until the next read.
 */
export function pollKey(inbox) {
  if (!inbox || !inbox.last_poll) return "";
  return `${inbox.last_poll.finished_at || ""}|${inbox.last_poll.new}`;
}

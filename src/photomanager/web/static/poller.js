// Status polling as a setTimeout chain: never two requests at once, exponential backoff
// while the server is unreachable, and nothing at all while the tab is hidden.

import { NetworkError } from "./api.js";

/**
 * Run `task` every `interval` ms. `onOffline(error)` is called on every failed poll
 * after which the poller backs off (up to `maxDelay`), `onOnline()` once it recovers.
 */
export function createPoller({ task, interval = 2500, maxDelay = 30000, onOnline, onOffline }) {
  let timer = null;
  let inFlight = false;
  let again = false;
  let failures = 0;
  let started = false;

  function nextDelay() {
    if (failures === 0) return interval;
    return Math.min(maxDelay, interval * 2 ** Math.min(failures, 6));
  }

  function schedule(delay) {
    clearTimeout(timer);
    timer = null;
    if (!started || document.hidden) return;
    timer = setTimeout(tick, delay);
  }

  async function tick() {
    timer = null;
    if (inFlight) {
      again = true;
      return;
    }
    inFlight = true;
    try {
      await task();
      if (failures > 0 && onOnline) onOnline();
      failures = 0;
    } catch (error) {
      if (error instanceof NetworkError) {
        failures += 1;
        if (onOffline) onOffline(error);
      } else {
        // An application error (e.g. 500 from a bug) must not stop the page from polling.
        failures = Math.max(failures, 1);
        if (onOffline) onOffline(error);
      }
    } finally {
      inFlight = false;
    }
    if (again) {
      again = false;
      schedule(0);
    } else {
      schedule(nextDelay());
    }
  }

  document.addEventListener("visibilitychange", () => {
    if (document.hidden) {
      clearTimeout(timer);
      timer = null;
    } else if (started && !inFlight) {
      schedule(0);
    }
  });

  return {
    start() {
      started = true;
      schedule(0);
    },
    /** Poll as soon as possible (after a user action), without overlapping. */
    poke() {
      if (inFlight) again = true;
      else schedule(0);
    },
  };
}

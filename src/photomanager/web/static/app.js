// Entry point of the Auto Comments page: builds the panels and polls the status.

import { api, API, describeError } from "./api.js";
import { byId } from "./dom.js";
import { refreshAccount, renderAccountIfChanged, setSandbox } from "./panel-account.js";
import { initActivity } from "./panel-activity.js";
import { initCollectors } from "./panel-collectors.js";
import { initLog } from "./panel-log.js";
import { initOverview } from "./panel-overview.js";
import { initQueue } from "./panel-queue.js";
import { initReview } from "./panel-review.js";
import { initSettings } from "./panel-settings.js";
import { initTemplates } from "./panel-templates.js";
import { createPoller } from "./poller.js";

const POLL_MS = 2500;
const ACCOUNT_EVERY = 12; // polls (about 30 s)
const ACTIVITY_MAX_AGE_MS = 60000;

function main() {
  const banner = byId("connection-banner");
  let lastCounts = "";
  let polls = 0;
  let activityAt = 0;
  let poller = null;

  const pokeSoon = () => poller && poller.poke();
  const overview = initOverview({ onChanged: pokeSoon });
  const activity = initActivity();
  const collectors = initCollectors({ onProgress: pokeSoon });
  const templates = initTemplates();
  const queue = initQueue({ onChanged: pokeSoon });
  const log = initLog();
  const review = initReview({ onChanged: pokeSoon });
  const settings = initSettings({ onSaved: pokeSoon });

  async function poll() {
    const raw = await api.get(`${API}/status`);
    const status = overview.render(raw);
    setSandbox(status.sandbox);
    if (status.account) renderAccountIfChanged(status.account);
    for (const run of status.collectRuns) {
      if (run.state === "running") collectors.follow(run.run_id);
    }
    // Newest first: a run that finished recently (maybe started from the CLI) shows its result.
    const finished = status.collectRuns.find((run) => run.state !== "running");
    if (finished && !status.collectRuns.some((run) => run.state === "running")) {
      collectors.showResult(finished);
    }
    polls += 1;
    if (polls % ACCOUNT_EVERY === 0) await refreshAccount();
    // Tables and chart follow the counts, not the clock: no work while nothing changes.
    const counts = JSON.stringify(status.counts);
    const countsChanged = counts !== lastCounts;
    if (countsChanged) {
      lastCounts = counts;
      await Promise.all([queue.refreshIfIdle(), log.load(), review.load()]);
    }
    if (countsChanged || Date.now() - activityAt > ACTIVITY_MAX_AGE_MS) {
      activityAt = Date.now();
      await activity.load();
    }
  }

  poller = createPoller({
    task: poll,
    interval: POLL_MS,
    onOffline: (error) => {
      banner.textContent =
        error && error.name === "NetworkError"
          ? "The server is not answering; reconnecting…"
          : `Status unavailable: ${describeError(error)} - retrying…`;
      banner.hidden = false;
      document.body.classList.add("is-offline");
    },
    onOnline: () => {
      banner.hidden = true;
      document.body.classList.remove("is-offline");
      // The server may have restarted: everything may have changed.
      Promise.all([
        refreshAccount(),
        templates.load(),
        settings.load(),
        collectors.load(),
        queue.load(),
      ]).catch(() => {});
    },
  });

  Promise.allSettled([
    refreshAccount(),
    templates.load(),
    settings.load(),
    collectors.load(),
    queue.load(),
    log.load(),
    review.load(),
  ]).finally(() => poller.start());
  window.addEventListener("focus", () => refreshAccount().catch(() => {}));
}

main();

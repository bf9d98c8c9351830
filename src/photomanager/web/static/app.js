// Entry point of the Auto Comments page: the sections of the registry behind the router, and
// one status poll that feeds the bar's counts and the visible section (hidden ones rest).

import { api, API, describeError } from "./api.js";
import { byId } from "./dom.js";
import { refreshAccount, renderAccountIfChanged, setSandbox } from "./panel-account.js";
import { createPoller } from "./poller.js";
import { createRouter } from "./router.js";
import { DEFAULT_SECTION, SECTIONS } from "./sections.js";

const POLL_MS = 2500;
const ACCOUNT_EVERY = 12; // polls (about 30 s)

function main() {
  const banner = byId("connection-banner");
  const started = new Map();
  let lastCounts = "";
  let lastStatus = null;
  let polls = 0;
  let poller = null;

  const poke = () => poller && poller.poke();

  function instance(section) {
    if (!started.has(section.id)) {
      const container = document.getElementById(`section-${section.id}`);
      started.set(section.id, section.init({ container, poke, navigate }));
    }
    return started.get(section.id);
  }

  function navigate(id) {
    window.location.hash = `#${id}`;
  }

  async function enter(section) {
    try {
      await instance(section).enter();
    } catch (error) {
      // The poller reports an unreachable server; a failed first load shows up there.
      console.warn(`${section.id}: ${describeError(error)}`);
    }
    if (lastStatus) poke();
  }

  const router = createRouter({
    sections: SECTIONS,
    fallback: DEFAULT_SECTION,
    bar: byId("section-links"),
    main: byId("main"),
    onEnter: (section) => {
      enter(section);
    },
  });

  async function updateCounts(raw) {
    await Promise.all(
      SECTIONS.filter((section) => section.count).map(async (section) => {
        try {
          router.setCount(section.id, await section.count(raw));
        } catch {
          router.setCount(section.id, null); // a count is a hint: never worth breaking the poll
        }
      }),
    );
  }

  async function poll() {
    const raw = await api.get(`${API}/status`);
    lastStatus = raw;
    setSandbox(Boolean(raw && raw.sandbox));
    if (raw && raw.account) renderAccountIfChanged(raw.account);
    polls += 1;
    if (polls % ACCOUNT_EVERY === 0) await refreshAccount();
    // Lists follow the counts, not the clock: no work while nothing changes.
    const counts = JSON.stringify((raw && raw.counts) || {});
    const changed = counts !== lastCounts;
    lastCounts = counts;
    const section = router.current();
    await Promise.all([updateCounts(raw), instance(section).poll(raw, { changed })]);
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
      // The server may have restarted: the account and what the section shows may have changed.
      refreshAccount().catch(() => {});
      enter(router.current());
    },
  });

  refreshAccount()
    .catch(() => {})
    .finally(() => poller.start());
  window.addEventListener("focus", () => refreshAccount().catch(() => {}));
}

main();

// Overview: is it working and does it need me? The worker in words, today's numbers, the
// activity chart, what needs the artist, and the first steps on a fresh install.

import { initActivity } from "./panel-activity.js";
import { initNeedsYou } from "./panel-needs-you.js";
import { initOverview, normalizeStatus } from "./panel-overview.js";

const ACTIVITY_MAX_AGE_MS = 60000;

export default {
  id: "overview",
  title: "Overview",
  init({ poke }) {
    const overview = initOverview({ onChanged: poke });
    const activity = initActivity();
    const needsYou = initNeedsYou();
    let activityAt = 0;

    return {
      enter() {
        activityAt = 0; // the chart may be stale after a while elsewhere
        needsYou.forget();
        poke();
      },
      async poll(raw, { changed }) {
        overview.render(raw);
        const work = [needsYou.render(normalizeStatus(raw), { changed })];
        if (changed || Date.now() - activityAt > ACTIVITY_MAX_AGE_MS) {
          activityAt = Date.now();
          work.push(activity.load());
        }
        await Promise.all(work);
      },
    };
  },
};

// Collect: the tags followed, and runs over the feeds with their progress.

import { initCollectors } from "./panel-collectors.js";

export default {
  id: "collect",
  title: "Collect",
  init({ container, poke }) {
    const collectors = initCollectors({ onProgress: poke, isShown: () => !container.hidden });
    return {
      enter: () => collectors.load(),
      poll(raw) {
        const runs = (raw && raw.collect_runs) || [];
        for (const run of runs) {
          if (run.state === "running") collectors.follow(run.run_id);
        }
        // Newest first: a run that finished recently (maybe started from the CLI) shows its result.
        const finished = runs.find((run) => run.state !== "running");
        if (finished && !runs.some((run) => run.state === "running")) {
          collectors.showResult(finished);
        }
      },
    };
  },
};

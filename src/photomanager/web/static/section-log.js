// Log: every attempt, newest first, and its CSV export.

import { initLog } from "./panel-log.js";

export default {
  id: "log",
  title: "Log",
  init() {
    const log = initLog();
    return {
      enter: () => log.load(),
      poll: (status, { changed }) => (changed ? log.load() : undefined),
    };
  },
};

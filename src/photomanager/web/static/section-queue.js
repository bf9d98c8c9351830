// Queue: every deviation waiting for a comment, by status.

import { initQueue } from "./panel-queue.js";

export default {
  id: "queue",
  title: "Queue",
  init({ poke }) {
    const queue = initQueue({ onChanged: poke });
    return {
      enter: () => queue.refreshIfIdle(),
      poll: (status, { changed }) => (changed ? queue.refreshIfIdle() : undefined),
    };
  },
};

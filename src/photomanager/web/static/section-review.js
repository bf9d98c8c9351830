// Review: the comments held for the artist, decided at the speed of a keyboard.

import { initReview } from "./panel-review.js";

export default {
  id: "review",
  title: "Review",
  count: (status) => ({
    value: (status && status.counts && status.counts.awaiting_review) || 0,
    label: "awaiting review",
  }),
  init({ poke }) {
    const review = initReview({ onChanged: poke });
    return {
      enter: () => review.load(),
      poll: (status, { changed }) => (changed ? review.load() : undefined),
    };
  },
};

// Templates: the texts comments are written from, with a live preview.

import { initTemplates } from "./panel-templates.js";

export default {
  id: "templates",
  title: "Templates",
  init() {
    const templates = initTemplates();
    return {
      enter: () => templates.load(),
      poll() {}, // the list changes when the artist edits it; re-read on every visit
    };
  },
};

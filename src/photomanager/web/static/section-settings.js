// Settings: pace, caps, filters, review and dry run.

import { initSettings } from "./panel-settings.js";

export default {
  id: "settings",
  title: "Settings",
  init({ poke }) {
    const settings = initSettings({ onSaved: poke });
    let loaded = false;
    return {
      // Loaded once: coming back must not wipe what the artist was typing.
      async enter() {
        if (loaded) return;
        await settings.load();
        loaded = true;
      },
      poll() {},
    };
  },
};

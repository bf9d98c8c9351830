// Sections behind URL hashes: `#review` shows Review and hides the others, so links, reload,
// back and forward work. A hash naming an element inside a section (`#setup-help`,
// `#worker-start`) shows that section and brings the element into view.

import { el } from "./dom.js";

const BASE_TITLE = document.title;

/**
 * Build the bar from `sections` and start following the hash. `onEnter(section)` runs every
 * time a section becomes visible. Returns { current(), setCount(id, count) }.
 */
export function createRouter({ sections, fallback, bar, main, onEnter }) {
  const byIdMap = new Map(sections.map((section) => [section.id, section]));
  const links = new Map();
  const counts = new Map();
  let currentId = null;

  for (const section of sections) {
    const count = el("span", { class: "nav-count", hidden: true });
    const link = el("a", { href: `#${section.id}`, dataset: { section: section.id } }, [
      el("span", { class: "nav-title", text: section.title }),
      count,
    ]);
    links.set(section.id, link);
    counts.set(section.id, count);
    bar.append(el("li", {}, [link]));
    if (!containerOf(section.id)) {
      // A section whose module builds its own markup gets an empty container.
      const props = { id: `section-${section.id}`, class: "section", hidden: true };
      main.append(el("div", { ...props, dataset: { section: section.id } }));
    }
  }

  function containerOf(id) {
    return document.getElementById(`section-${id}`);
  }

  /** Which section and which element (if any) the hash names. */
  function resolve(hash) {
    const name = decodeURIComponent(hash.replace(/^#/, ""));
    if (byIdMap.has(name)) return { id: name, target: null };
    const target = name ? document.getElementById(name) : null;
    const holder = target && target.closest("[data-section]");
    if (holder && byIdMap.has(holder.dataset.section)) {
      return { id: holder.dataset.section, target };
    }
    // An element outside every section (the skip link's #main): the section stays.
    if (target) return { id: currentId || fallback, target };
    return { id: fallback, target: null };
  }

  function show({ userAction }) {
    const { id, target } = resolve(window.location.hash);
    const changed = id !== currentId;
    if (changed) {
      for (const section of sections) {
        const container = containerOf(section.id);
        container.hidden = section.id !== id;
        const link = links.get(section.id);
        if (section.id === id) link.setAttribute("aria-current", "page");
        else link.removeAttribute("aria-current");
      }
      currentId = id;
      document.title = `${byIdMap.get(id).title} · ${BASE_TITLE}`;
      onEnter(byIdMap.get(id));
    }
    if (target) {
      // The element the link named: into view, and focused when it can take focus.
      target.scrollIntoView({ block: "start" });
      if (userAction && typeof target.focus === "function") target.focus({ preventScroll: true });
    } else if (changed && userAction) {
      // A new section from the bar: start at its top, with the focus on its first heading so
      // a screen reader says where we are.
      window.scrollTo(0, 0);
      const heading = containerOf(id).querySelector("h2");
      if (heading) {
        heading.setAttribute("tabindex", "-1");
        heading.focus({ preventScroll: true });
      }
    }
  }

  window.addEventListener("hashchange", () => show({ userAction: true }));
  show({ userAction: false });

  return {
    current: () => byIdMap.get(currentId),
    /** Show `count` ({value, label} or null) next to the section's name in the bar. */
    setCount(id, count) {
      const node = counts.get(id);
      if (!node) return;
      const value = count && Number(count.value) > 0 ? Number(count.value) : 0;
      node.hidden = value === 0;
      node.replaceChildren(
        ...(value
          ? [String(value), el("span", { class: "visually-hidden", text: ` ${count.label || ""}` })]
          : []),
      );
    },
  };
}

// Small DOM helpers. Every piece of text goes in through textContent / text nodes:
// titles, usernames and error messages come from third parties and are never parsed as HTML.

/**
 * Create an element. `props`: class, text, dataset, on<event> handlers, or attributes.
 * Children may be nodes or strings (strings become text nodes).
 */
export function el(tag, props = {}, children = []) {
  const node = document.createElement(tag);
  applyProps(node, props);
  appendChildren(node, children);
  return node;
}

const SVG_NS = "http://www.w3.org/2000/svg";

/** Create an SVG element (same props as `el`). */
export function svg(tag, props = {}, children = []) {
  const node = document.createElementNS(SVG_NS, tag);
  applyProps(node, props);
  appendChildren(node, children);
  return node;
}

function applyProps(node, props) {
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.setAttribute("class", value);
    else if (key === "text") node.textContent = String(value);
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key.startsWith("on") && typeof value === "function") {
      node.addEventListener(key.slice(2), value);
    } else if (value === true) node.setAttribute(key, "");
    else node.setAttribute(key, String(value));
  }
}

function appendChildren(node, children) {
  for (const child of [].concat(children)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Remove every child of `node`. */
export function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
  return node;
}

/** Replace the children of `node`. */
export function replace(node, children) {
  clear(node);
  appendChildren(node, children);
  return node;
}

/** Set the text of the element with this id (no-op when it does not exist). */
export function setText(id, value) {
  const node = document.getElementById(id);
  if (node) node.textContent = value === null || value === undefined ? "" : String(value);
  return node;
}

/** The element with this id; throws early when the page and the script disagree. */
export function byId(id) {
  const node = document.getElementById(id);
  if (!node) throw new Error(`missing element #${id}`);
  return node;
}

/**
 * An href that is safe to put in a link: only http(s) URLs pass, anything else
 * (javascript:, data:) becomes null so the caller renders plain text.
 */
export function safeHref(url) {
  if (typeof url !== "string" || !url) return null;
  try {
    const parsed = new URL(url, window.location.origin);
    return parsed.protocol === "https:" || parsed.protocol === "http:" ? parsed.href : null;
  } catch {
    return null;
  }
}

/** Show a short message in a live region element, styled by kind (info, ok, error). */
export function flash(node, message, kind = "info") {
  node.textContent = message || "";
  node.className = `flash flash-${kind}`;
  node.hidden = !message;
}

/** Call `fn` at most once per `wait` ms after the last call. */
export function debounce(fn, wait) {
  let timer = null;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), wait);
  };
}

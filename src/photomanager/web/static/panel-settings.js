// Settings: pacing, caps, active hours, filters. Every control is named after its field in
// the API, so a 422 puts each message under the control it is about.

import { api, API, describeError, fieldErrors } from "./api.js";
import { byId, flash } from "./dom.js";

const LIST_FIELDS = new Set([
  "exclude_authors",
  "exclude_keywords",
  "include_tags",
  "exclude_tags",
  "languages",
]);
const NULLABLE = new Set(["active_hours", "max_per_author"]);

function controls(form) {
  return Array.from(form.elements).filter((node) => node.name);
}

function splitList(text) {
  return text
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean);
}

function fill(form, settings) {
  for (const control of controls(form)) {
    const value = settings[control.name];
    if (control.name === "review_sources") {
      control.checked = Array.isArray(value) && value.includes(control.value);
    } else if (control.type === "checkbox") {
      control.checked = Boolean(value);
    } else if (LIST_FIELDS.has(control.name)) {
      control.value = Array.isArray(value) ? value.join(", ") : "";
    } else {
      control.value = value === null || value === undefined ? "" : String(value);
    }
  }
}

function collect(form) {
  const body = {};
  const review = [];
  for (const control of controls(form)) {
    const name = control.name;
    if (name === "review_sources") {
      if (control.checked) review.push(control.value);
    } else if (control.type === "checkbox") {
      body[name] = control.checked;
    } else if (LIST_FIELDS.has(name)) {
      body[name] = splitList(control.value);
    } else if (control.type === "number") {
      const text = control.value.trim();
      if (text === "") {
        if (NULLABLE.has(name)) body[name] = null;
      } else {
        // Send what was typed; "1.5" or "abc" come back as a 422 under the field.
        const number = Number(text);
        body[name] = Number.isFinite(number) ? number : text;
      }
    } else {
      const text = control.value.trim();
      body[name] = text === "" && NULLABLE.has(name) ? null : text;
    }
  }
  body.review_sources = review;
  return body;
}

function showErrors(form, errors) {
  for (const node of form.querySelectorAll(".field-error")) {
    node.hidden = true;
    node.textContent = "";
  }
  for (const control of controls(form)) control.removeAttribute("aria-invalid");
  let first = null;
  for (const [field, message] of errors) {
    const target = document.getElementById(`set-${field}-error`);
    if (!target) continue;
    target.textContent = message;
    target.hidden = false;
    const control = form.querySelector(`[name="${CSS.escape(field)}"]`);
    if (control) {
      control.setAttribute("aria-invalid", "true");
      first = first || control;
    }
  }
  if (first) first.focus();
}

/** Load the settings into the form and save them on submit. */
export function initSettings({ onSaved }) {
  const form = byId("settings-form");
  const message = byId("settings-flash");

  async function load() {
    fill(form, (await api.get(`${API}/settings`)) || {});
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const saved = await api.put(`${API}/settings`, collect(form));
      showErrors(form, new Map());
      if (saved) fill(form, saved);
      flash(message, "Settings saved.", "ok");
      if (onSaved) onSaved();
    } catch (error) {
      const errors = fieldErrors(error);
      showErrors(form, errors);
      flash(message, describeError(error), "error");
    }
  });

  return { load };
}

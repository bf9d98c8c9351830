// Comment templates: list with active toggles, usage (uses, variants, a warning badge when
// there are few, the most posted texts on demand), create / edit / delete, and live
// validation while typing (a debounced call to messages/preview, never overlapping).
// Errors block saving; warnings are shown apart ("Warning: ...") and saving stays allowed.
// While a save is in flight the form is locked (disabled, aria-busy): it resets when the save
// succeeds, so anything typed meanwhile would be lost; a failed save keeps every field as typed.

import { api, API, describeError, fieldErrors, NetworkError, query } from "./api.js";
import { byId, clear, debounce, el, flash, replace } from "./dom.js";
import { formatTime } from "./format.js";

const PREVIEW_COUNT = 5;
const TOP_RENDERINGS = 10;
const SAVING_LABEL = "Saving…";
const UNREACHABLE =
  "The server cannot be reached; the template may not be saved. Your text is kept: try Save again.";

function issueText(issue) {
  return `line ${issue.line}:${issue.column}: ${issue.message}`;
}

function plural(count, word) {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}

/** The usage line of a template: uses, last use, variants, and a badge when they are few. */
function usageLine(uses) {
  if (!uses) return null;
  const parts = [
    el("span", { class: "template-uses", text: `Used ${plural(uses.sent, "time")}` }),
    uses.last_used_at
      ? el("span", { class: "template-last-used", text: `last ${formatTime(uses.last_used_at)}` })
      : null,
    el("span", { class: "template-variant-count", text: plural(uses.variant_count, "variant") }),
    uses.few_variants
      ? el("span", {
          class: "badge badge-warn few-variants",
          text: "Few variants",
          title: "Fewer than 20 different comments: repeated texts look like spam.",
        })
      : null,
  ];
  return el("p", { class: "template-usage" }, parts);
}

/** An expandable list of the texts this template posted most, loaded when first opened. */
function renderingsBox(template) {
  const list = el("ol", { class: "rendering-list" });
  const box = el("details", { class: "template-renderings" }, [
    el("summary", { text: "Most posted texts" }),
    list,
  ]);
  let loaded = false;
  box.addEventListener("toggle", async () => {
    if (!box.open || loaded) return;
    loaded = true;
    replace(list, [el("li", { class: "empty", text: "Loading…" })]);
    try {
      const usage = await api.get(
        `${API}/messages/${template.message_id}/usage${query({ limit: TOP_RENDERINGS })}`,
      );
      const top = (usage && usage.top_renderings) || [];
      replace(
        list,
        top.length
          ? top.map((item) =>
              el("li", {}, [
                el("span", { class: "rendering-uses", text: `${item.uses}× ` }),
                el("span", { class: "rendering-text", text: item.body }),
              ]),
            )
          : [el("li", { class: "empty", text: "Not posted yet." })],
      );
    } catch (error) {
      loaded = false; // let the next opening try again
      replace(list, [el("li", { class: "empty", text: describeError(error) })]);
    }
  });
  return box;
}

/** Wire up the templates panel; returns { load }. */
export function initTemplates() {
  const list = byId("template-list");
  const form = byId("template-form");
  const idInput = byId("template-id");
  const titleInput = byId("template-title");
  const bodyInput = byId("template-body");
  const activeInput = byId("template-active");
  const bodyError = byId("template-body-error");
  const bodyWarnings = byId("template-body-warnings");
  const titleError = byId("template-title-error");
  const variants = byId("template-variants");
  const previewList = byId("template-preview");
  const cancel = byId("template-cancel");
  const message = byId("template-flash");
  const saveButton = byId("template-save");
  const saveLabel = saveButton.textContent;
  let previewSeq = 0;
  let saving = false;
  let locked = [];

  /** Lock (or unlock) the whole form while a save is in flight. */
  function setSaving(on) {
    saving = on;
    if (on) {
      // Lock only what is enabled now: unlocking must not enable a control kept off on purpose.
      locked = Array.from(form.elements).filter((control) => !control.disabled);
      for (const control of locked) control.disabled = true;
      form.setAttribute("aria-busy", "true");
      saveButton.textContent = SAVING_LABEL;
    } else {
      for (const control of locked) control.disabled = false;
      locked = [];
      form.removeAttribute("aria-busy");
      saveButton.textContent = saveLabel;
    }
  }

  function setTitleError(text) {
    titleError.textContent = text || "";
    titleError.hidden = !text;
    if (text) titleInput.setAttribute("aria-invalid", "true");
    else titleInput.removeAttribute("aria-invalid");
  }

  function setBodyError(text) {
    bodyError.textContent = text || "";
    bodyError.hidden = !text;
    if (text) bodyInput.setAttribute("aria-invalid", "true");
    else bodyInput.removeAttribute("aria-invalid");
  }

  function setWarnings(warnings) {
    replace(
      bodyWarnings,
      warnings.map((issue) =>
        el("li", { class: "field-warning", text: `Warning: ${issueText(issue)}` }),
      ),
    );
    bodyWarnings.hidden = warnings.length === 0;
  }

  async function preview() {
    const body = bodyInput.value;
    const seq = ++previewSeq;
    if (!body.trim()) {
      setBodyError("");
      setWarnings([]);
      variants.textContent = "";
      clear(previewList);
      return;
    }
    try {
      const result = await api.post(`${API}/messages/preview`, { body, n: PREVIEW_COUNT });
      if (seq !== previewSeq) return; // a newer keystroke already asked again
      const errors = (result.issues || []).filter((issue) => issue.severity === "error");
      const warnings = (result.issues || []).filter((issue) => issue.severity !== "error");
      setBodyError(errors.map(issueText).join("\n"));
      setWarnings(warnings);
      const count = result.variant_count;
      variants.textContent = result.valid
        ? `${count} possible variant${count === 1 ? "" : "s"}`
        : "Fix the error above to see a preview.";
      replace(
        previewList,
        (result.renderings || []).map((text) => el("li", { text })),
      );
    } catch (error) {
      if (seq !== previewSeq) return;
      setBodyError(describeError(error));
      setWarnings([]);
      clear(previewList);
    }
  }

  const previewSoon = debounce(preview, 300);
  bodyInput.addEventListener("input", previewSoon);
  byId("template-reshuffle").addEventListener("click", preview);

  function resetForm() {
    previewSeq++; // a preview still in flight belongs to the text being cleared
    idInput.value = "";
    titleInput.value = "";
    bodyInput.value = "";
    activeInput.checked = true;
    byId("template-form-title").textContent = "New template";
    cancel.hidden = true;
    setTitleError("");
    setBodyError("");
    setWarnings([]);
    variants.textContent = "";
    clear(previewList);
  }

  function edit(template) {
    if (saving) return; // the form is about to reset: filling it now would be lost
    idInput.value = String(template.message_id);
    titleInput.value = template.title;
    bodyInput.value = template.body;
    activeInput.checked = template.is_active;
    byId("template-form-title").textContent = "Edit template";
    cancel.hidden = false;
    setTitleError("");
    titleInput.focus();
    preview();
  }

  async function toggle(template, checkbox) {
    try {
      await api.put(`${API}/messages/${template.message_id}`, { is_active: checkbox.checked });
      await load();
    } catch (error) {
      checkbox.checked = !checkbox.checked;
      flash(message, describeError(error), "error");
    }
  }

  async function remove(template) {
    const name = template.title || `template ${template.message_id}`;
    if (!window.confirm(`Delete "${name}"? Comments already sent keep their text in the log.`)) {
      return;
    }
    try {
      await api.del(`${API}/messages/${template.message_id}`);
      if (!saving && idInput.value === String(template.message_id)) resetForm();
      flash(message, "Template deleted.", "ok");
      await load();
    } catch (error) {
      flash(message, describeError(error), "error");
    }
  }

  function row(template) {
    const toggleId = `template-active-${template.message_id}`;
    const checkbox = el("input", {
      type: "checkbox",
      id: toggleId,
      checked: template.is_active,
    });
    checkbox.addEventListener("change", () => toggle(template, checkbox));
    const title = template.title || `Template ${template.message_id}`;
    return el(
      "li",
      {
        class: `template-item${template.is_active ? "" : " inactive"}`,
        dataset: { messageId: String(template.message_id) },
      },
      [
        checkbox,
        el("label", { for: toggleId, class: "template-title" }, [
          el("span", { class: "visually-hidden", text: "Active: " }),
          title,
        ]),
        el("p", { class: "template-body", text: template.body }),
        usageLine(template.uses),
        template.uses && template.uses.sent > 0 ? renderingsBox(template) : null,
        el("div", { class: "actions" }, [
          el("button", {
            type: "button",
            class: "small",
            text: "Edit",
            "aria-label": `Edit ${title}`,
            onclick: () => edit(template),
          }),
          el("button", {
            type: "button",
            class: "small danger",
            text: "Delete",
            "aria-label": `Delete ${title}`,
            onclick: () => remove(template),
          }),
        ]),
      ],
    );
  }

  async function load() {
    const templates = (await api.get(`${API}/messages`)) || [];
    const items = Array.isArray(templates) ? templates : templates.items || [];
    if (items.length === 0) {
      replace(list, [
        el("li", { class: "empty", text: "No templates yet: the worker needs at least one active template." }),
      ]);
    } else {
      replace(list, items.map(row));
    }
  }

  /** Show a refused save under the fields it concerns; returns the field to focus, if any. */
  function showSaveError(error) {
    const details = error && error.details;
    if (Array.isArray(details) && details.length && details[0].line !== undefined) {
      // A 422 for the body carries the template issues with line and column.
      setBodyError(details.map(issueText).join("\n"));
      return bodyInput;
    }
    const fields = fieldErrors(error);
    let target = null;
    if (fields.has("body")) {
      setBodyError(fields.get("body"));
      target = bodyInput;
    }
    if (fields.has("title")) {
      setTitleError(fields.get("title"));
      target = titleInput;
    }
    return target;
  }

  async function save() {
    const payload = {
      title: titleInput.value.trim(),
      body: bodyInput.value,
      is_active: activeInput.checked,
    };
    const id = idInput.value;
    const focused = document.activeElement;
    setTitleError("");
    setSaving(true);
    try {
      if (id) await api.put(`${API}/messages/${id}`, payload);
      else await api.post(`${API}/messages`, payload);
    } catch (error) {
      setSaving(false);
      const target = showSaveError(error);
      flash(message, error instanceof NetworkError ? UNREACHABLE : describeError(error), "error");
      const next = target || (form.contains(focused) ? focused : saveButton);
      next.focus();
      return;
    }
    setSaving(false);
    resetForm();
    titleInput.focus();
    flash(message, id ? "Template updated." : "Template saved.", "ok");
    try {
      await load();
    } catch (error) {
      const reason = describeError(error);
      flash(message, `Saved, but the list could not be refreshed: ${reason}`, "error");
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (saving) return; // a second click or Enter must not create the template twice
    save();
  });

  titleInput.addEventListener("input", () => {
    if (!titleError.hidden) setTitleError("");
  });

  cancel.addEventListener("click", resetForm);

  return { load };
}

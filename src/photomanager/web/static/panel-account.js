// The account corner of the app shell: "connected as <username>", or a Connect button,
// or - when no DeviantArt app is configured - how to register one.

import { api } from "./api.js";
import { byId, el, replace, safeHref } from "./dom.js";

let sandbox = false;

/** Show or hide the SANDBOX badge (the status and the auth status may both say so). */
export function setSandbox(value) {
  sandbox = Boolean(value);
  byId("sandbox-badge").hidden = !sandbox;
  document.body.classList.toggle("is-sandbox", sandbox);
}

async function logout() {
  await api.post("/api/auth/logout", {});
  await refreshAccount();
}

function render(status) {
  const box = byId("account");
  const help = byId("setup-help");
  if (status.sandbox !== undefined) setSandbox(status.sandbox);
  const register = safeHref(status.register_url);
  if (register) {
    // The link text names its target, so what the artist reads is where they land.
    const link = byId("register-link");
    link.setAttribute("href", register);
    const target = new URL(register);
    link.textContent = `${target.host.replace(/^www\./, "")}${target.pathname.replace(/\/$/, "")}`;
  }
  const configured = (status.client_configured ?? status.configured) !== false;
  help.hidden = configured;
  if (status.redirect_uri) byId("redirect-uri").textContent = status.redirect_uri;
  if (status.connected && status.reauth_required) {
    replace(box, [
      el("span", { id: "account-status" }, [
        el("span", { class: "username", text: status.username || "your account" }),
        " needs to be reconnected",
      ]),
      el("a", { class: "button primary", id: "connect", href: "/auth/login", text: "Reconnect DeviantArt" }),
    ]);
  } else if (status.connected) {
    const logoutButton = el("button", {
      type: "button",
      class: "small",
      id: "logout",
      text: "Disconnect",
      onclick: () => logout().catch(() => {}),
    });
    replace(box, [
      el("span", { id: "account-status" }, [
        "connected as ",
        el("span", { class: "username", text: status.username || "(unknown user)" }),
      ]),
      logoutButton,
    ]);
  } else if (configured) {
    replace(box, [
      el("span", { id: "account-status", text: status.reason || "not connected" }),
      el("a", {
        class: "button primary",
        id: "connect",
        href: "/auth/login",
        text: "Connect DeviantArt",
      }),
    ]);
  } else {
    replace(box, [
      el("span", { id: "account-status", text: "no DeviantArt app configured" }),
      el("a", { class: "button", href: "#setup-help", text: "How to set it up" }),
    ]);
  }
}

let lastKey = "";

/** Redraw the account corner only when the account changed (keeps keyboard focus). */
export function renderAccountIfChanged(account) {
  const key = JSON.stringify([
    account.connected,
    account.username,
    account.reauth_required,
    account.client_configured,
  ]);
  if (key === lastKey) return;
  lastKey = key;
  render(account);
}

/** Fetch /api/auth/status and redraw the account corner. */
export async function refreshAccount() {
  const status = (await api.get("/api/auth/status")) || {};
  lastKey = JSON.stringify([
    status.connected,
    status.username,
    status.reauth_required,
    status.client_configured,
  ]);
  render(status);
  return status;
}

/** True when the server said it runs against the sandbox DeviantArt. */
export function isSandbox() {
  return sandbox;
}

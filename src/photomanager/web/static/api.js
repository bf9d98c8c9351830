// The one fetch wrapper: JSON in and out, same-origin, and `Content-Type: application/json`
// on every state-changing request (the server's CSRF rule refuses anything else).

export const API = "/api/deviation-comments";

/** The server answered with an error body `{error, message, details}`. */
export class ApiError extends Error {
  constructor(status, body) {
    const message = (body && (body.message || body.detail)) || `HTTP ${status}`;
    super(typeof message === "string" ? message : `HTTP ${status}`);
    this.name = "ApiError";
    this.status = status;
    this.code = (body && body.error) || "error";
    this.details = body ? body.details : null;
  }
}

/** The server could not be reached at all (restarting, offline). */
export class NetworkError extends Error {
  constructor() {
    super("The server cannot be reached.");
    this.name = "NetworkError";
  }
}

async function request(method, path, body) {
  const init = { method, credentials: "same-origin", headers: { Accept: "application/json" } };
  if (method !== "GET") {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body === undefined ? {} : body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch {
    throw new NetworkError();
  }
  const text = await response.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!response.ok) {
    // A proxy or a restarting server answers 502/503 without our error shape.
    if (response.status >= 502 && response.status <= 504 && !(data && data.error)) {
      throw new NetworkError();
    }
    throw new ApiError(response.status, data);
  }
  return data;
}

export const api = {
  get: (path) => request("GET", path),
  post: (path, body) => request("POST", path, body),
  put: (path, body) => request("PUT", path, body),
  patch: (path, body) => request("PATCH", path, body),
  del: (path) => request("DELETE", path),
};

/** Build a query string from an object, skipping empty values. */
export function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "") search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}

/**
 * Field errors of a 422 as a Map field -> message. Accepts `{field: message}` and
 * FastAPI's list of `{loc, msg}` (the field is the last element of `loc`).
 */
export function fieldErrors(error) {
  const result = new Map();
  const details = error && error.details;
  if (Array.isArray(details)) {
    for (const item of details) {
      if (!item) continue;
      // Our API names the field as a dotted path ("body.pages"); FastAPI's own as `loc`.
      const loc = Array.isArray(item.loc) ? item.loc : String(item.field || "").split(".");
      const field = String(loc[loc.length - 1] ?? "");
      const message = item.msg || item.message || "invalid";
      if (!result.has(field)) result.set(field, String(message));
    }
  } else if (details && typeof details === "object") {
    for (const [field, message] of Object.entries(details)) {
      result.set(field, typeof message === "string" ? message : JSON.stringify(message));
    }
  }
  return result;
}

/** A human sentence for any error thrown by `api`. */
export function describeError(error) {
  if (error instanceof NetworkError) return "The server cannot be reached; retrying.";
  if (error instanceof ApiError) return error.message;
  return String((error && error.message) || error);
}

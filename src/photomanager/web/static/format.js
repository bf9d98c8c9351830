// Formatting of times, counts and statuses for people.

/** "12 Mar, 14:05" in the browser's time zone; "" for nothing. */
export function formatTime(value) {
  if (!value) return "";
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  return date.toLocaleString(undefined, {
    day: "numeric",
    month: "short",
    hour: "2-digit",
    minute: "2-digit",
  });
}

/** "74 s", "3 min 5 s", "2 h 10 min". */
export function formatDuration(seconds) {
  const s = Math.max(0, Math.round(seconds));
  // Seconds read best for the short pacing waits ("waiting 74 s").
  if (s < 120) return `${s} s`;
  const minutes = Math.floor(s / 60);
  if (minutes < 60) return s % 60 ? `${minutes} min ${s % 60} s` : `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
}

/** "awaiting_review" -> "awaiting review". */
export function humanize(value) {
  return String(value ?? "").replaceAll("_", " ");
}

const TAG_PREFIX = "tag:";

/** The tag name of a tag feed source ("tag:watercolor" -> "watercolor"), else null. */
export function sourceTag(source) {
  const text = String(source ?? "");
  return text.startsWith(TAG_PREFIX) ? text.slice(TAG_PREFIX.length) : null;
}

/** Source ids as the artist knows them: "Watch Feed", "Global Feed", "#watercolor". */
export function sourceLabel(source) {
  if (source === "watch_feed") return "Watch Feed";
  if (source === "global_feed") return "Global Feed";
  const tag = sourceTag(source);
  if (tag !== null) return `#${tag}`;
  return humanize(source);
}

/**
 * A deviation's tags as one short line: "#a #b #c", at most `max` of them, then "+N".
 * Returns { text, full } (`full`: every tag, for a tooltip); text "" when there are none.
 */
export function tagLine(tags, max = 6) {
  const all = (Array.isArray(tags) ? tags : []).map((tag) => `#${tag}`);
  const shown = all.slice(0, max).join(" ");
  const rest = all.length - max;
  return { text: rest > 0 ? `${shown} +${rest}` : shown, full: all.join(" ") };
}

let languageNames = null;

/** "de" -> "German" when the browser knows the code; the code itself otherwise. */
export function languageName(code) {
  if (!code) return "";
  try {
    languageNames = languageNames || new Intl.DisplayNames(["en"], { type: "language" });
    return languageNames.of(code) || code;
  } catch {
    return code;
  }
}

/** 0.6667 -> "67%"; "" for nothing. */
export function percent(value) {
  if (value === null || value === undefined || Number.isNaN(Number(value))) return "";
  return `${Math.round(Number(value) * 100)}%`;
}

/**
 * A rate with its 95% interval, as one honest phrase: "67% (21-94%)"; "no comment yet" when
 * there is no rate (no comment in the group).
 */
export function rateWithInterval(value, low, high) {
  if (value === null || value === undefined) return "no comment yet";
  if (low === null || low === undefined || high === null || high === undefined) {
    return percent(value);
  }
  return `${percent(value)} (${percent(low).slice(0, -1)}-${percent(high)})`;
}

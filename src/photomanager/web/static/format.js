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

/** Source ids as the artist knows them. */
export function sourceLabel(source) {
  if (source === "watch_feed") return "Watch Feed";
  if (source === "global_feed") return "Global Feed";
  return humanize(source);
}

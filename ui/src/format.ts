//! Small display formatters (deterministic: no locale surprises in tests or screenshots).

export function formatDate(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

/**
 * When something happened, for people: the local date and time, then how long ago ("2026-12-02 09:30, 3 hours
 * ago"). `now` is passed in so the words are testable; an unreadable stamp is shown as it came.
 */
export function formatWhen(iso: string, now: number = Date.now()): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const mins = Math.round((now - t) / 60_000);
  const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? "" : "s"} ago`;
  const ago = mins < 1 ? "just now"
    : mins < 60 ? plural(mins, "minute")
    : mins < 24 * 60 ? plural(Math.floor(mins / 60), "hour")
    : plural(Math.floor(mins / (24 * 60)), "day");
  return `${formatDate(t)}, ${ago}`;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(0)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

export function formatCount(n: number): string {
  return n.toLocaleString("en-US");
}

export function formatPrice(p: number | null | undefined): string {
  return p == null ? "" : `$${p < 0.1 ? p.toFixed(3) : p.toFixed(2)}`;
}

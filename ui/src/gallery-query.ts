//! The gallery's filter controls mapped to a `GalleryQuery` (pure, tested).
import type { GalleryQuery } from "./api";

export interface Filters {
  text: string;
  model: string;
  /** "", "today", "7d", "30d", "year" */
  date: string;
  favourite: boolean;
  grounding: boolean;
  chatId: string | null;
  sort: "newest" | "oldest";
  trash: boolean;
}

export const emptyFilters = (): Filters => ({ text: "", model: "", date: "", favourite: false, grounding: false, chatId: null, sort: "newest", trash: false });

const DAY = 86_400_000;

export function sinceFor(date: string, now: number): number | null {
  if (date === "today") { const d = new Date(now); d.setHours(0, 0, 0, 0); return d.getTime(); }
  if (date === "7d") return now - 7 * DAY;
  if (date === "30d") return now - 30 * DAY;
  if (date === "year") return now - 365 * DAY;
  return null;
}

export function toQuery(f: Filters, offset: number, limit: number, now = Date.now()): GalleryQuery {
  const q: GalleryQuery = { sort: f.sort, offset, limit };
  if (f.text.trim()) q.query = f.text.trim();
  if (f.model) q.model = f.model;
  if (f.favourite) q.favourite = true;
  if (f.grounding) q.has_grounding = true;
  if (f.chatId) q.chat_id = f.chatId;
  const since = sinceFor(f.date, now);
  if (since !== null) q.since = since;
  if (f.trash) q.trashed_only = true;
  return q;
}

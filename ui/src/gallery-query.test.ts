import { describe, expect, it } from "vitest";
import { emptyFilters, toQuery } from "./gallery-query";

describe("gallery query", () => {
  it("sends only the filters in use", () => {
    expect(toQuery(emptyFilters(), 0, 100)).toEqual({ sort: "newest", offset: 0, limit: 100 });
  });
  it("maps every filter", () => {
    const now = Date.UTC(2026, 0, 31);
    const q = toQuery({ text: " cat ", model: "m", date: "7d", favourite: true, grounding: true, chatId: "c1", sort: "oldest", trash: true }, 200, 100, now);
    expect(q).toEqual({ sort: "oldest", offset: 200, limit: 100, query: "cat", model: "m", favourite: true, has_grounding: true, chat_id: "c1", since: now - 7 * 86_400_000, trashed_only: true });
  });
});

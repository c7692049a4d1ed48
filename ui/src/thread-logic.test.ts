import { describe, expect, it } from "vitest";
import type { TurnView } from "./api";
import { latestLeaf, pathTo, siblingInfo } from "./thread-logic";

const t = (id: string, parent: string | null, at: number): TurnView => ({
  id, chat_id: "c", parent_turn_id: parent, prompt: id, reference_hashes: [], params: {}, text: "", thoughts: "", image_ids: [],
  grounding: null, usage: null, finish_reason: null, created_at: at, context_note: null,
});
// a -> b -> c ; a -> b2 (branch, newer)
const turns = [t("a", null, 1), t("b", "a", 2), t("c", "b", 3), t("b2", "a", 4)];

describe("thread branches", () => {
  it("walks the path to a leaf", () => {
    expect(pathTo(turns, "c").map((x) => x.id)).toEqual(["a", "b", "c"]);
    expect(pathTo(turns, "b2").map((x) => x.id)).toEqual(["a", "b2"]);
  });
  it("finds the newest leaf below a turn", () => {
    expect(latestLeaf(turns, "b")).toBe("c");
    expect(latestLeaf(turns, "a")).toBe("b2");
  });
  it("counts siblings", () => {
    expect(siblingInfo(turns, turns[3])).toMatchObject({ index: 1, count: 2 });
    expect(siblingInfo(turns, turns[0])).toMatchObject({ index: 0, count: 1 });
  });
});

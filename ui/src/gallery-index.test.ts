// Settings' gallery index rebuild: the report in words.
import { describe, expect, it } from "vitest";
import { rebuildText } from "./gallery-index";

describe("rebuildText", () => {
  it("counts what came back and names the file kept aside", () => {
    const text = rebuildText({ moved_aside: "/d/gallery.sqlite.corrupt-20261205T081500Z", already_listed: 0, restored: 2, recovered: 1, skipped: ["notes.txt"] });
    expect(text).toBe("Done: 2 images listed again with their prompt and settings, 1 image recovered without it, 0 images were already listed. "
      + "The unreadable database was kept as /d/gallery.sqlite.corrupt-20261205T081500Z. 1 other file in images/ was left as it is. Chats are not rebuilt from images.");
  });

  it("says nothing about a database or files it did not touch", () => {
    const text = rebuildText({ moved_aside: null, already_listed: 1, restored: 0, recovered: 0, skipped: [] });
    expect(text).toContain("1 image was already listed.");
    expect(text).not.toContain("unreadable");
    expect(text).not.toContain("left as");
  });
});

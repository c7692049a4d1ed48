// Settings' gallery index rebuild: the report in words.
import { describe, expect, it } from "vitest";
import { rebuildText, unlistedText } from "./gallery-index";

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

describe("unlistedText", () => {
  it("says how many files a rebuild would list", () => {
    expect(unlistedText(0)).toBe("Every image file in the data folder is in the gallery.");
    expect(unlistedText(1)).toBe("1 image file in the data folder is not in the gallery: rebuild to list it again.");
    expect(unlistedText(12)).toBe("12 image files in the data folder are not in the gallery: rebuild to list them again.");
  });
});

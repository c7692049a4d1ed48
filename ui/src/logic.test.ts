import { describe, expect, it } from "vitest";
import type { ModelCapabilities, OutputFormat } from "./api";
import { defaultSelection, fromParams, nearestRatio, nearestSize, outputFormat, switchModel, toParams } from "./params-logic";
import { addReferences, characterExcess, formatDuration, imageCount, moveItem, videoNotice } from "./refs-logic";
import { parseGrounding, searchUrl, isHttpUrl } from "./grounding-logic";
import { gridLayout, moveFocus, pagesFor, visibleRange } from "./gallery-window";
import { parseInline, parseMarkdown } from "./markdown";

function outputs(ratios: string[], sizes: (string | null)[], tokens: number): OutputFormat[] {
  return ratios.flatMap((r) => sizes.map((s) => ({ aspect_ratio: r, image_size: s, width: 100, height: 100, tokens })));
}
const flash: ModelCapabilities = {
  id: "gemini-3.1-flash-image", name: "Nano Banana 2 (3.1 Flash)", description: "", is_default: true,
  aspect_ratios: ["1:1", "1:4", "1:8", "16:9", "21:9"], image_sizes: ["512", "1K", "2K", "4K"], default_image_size: "1K",
  thinking_levels: ["minimal", "high"], default_thinking_level: "minimal", thinks: true, supports_thoughts: true,
  search_types: ["web", "image"], max_reference_images: 14, max_object_images: 10, max_character_images: 4,
  outputs: outputs(["1:1", "1:4", "1:8", "16:9", "21:9"], ["512", "1K", "2K", "4K"], 1120),
  family: "nano-banana-2", status: "current", availability: "available", note: null, successor: null, video_input: true, batch: true, released: null,
};
const pro: ModelCapabilities = {
  ...flash, id: "gemini-3-pro-image", name: "Nano Banana Pro", is_default: false, video_input: false,
  aspect_ratios: ["1:1", "16:9", "21:9", "2:3"], image_sizes: ["1K", "2K", "4K"], thinking_levels: [], default_thinking_level: null,
  search_types: ["web"], outputs: outputs(["1:1", "16:9", "21:9", "2:3"], ["1K", "2K", "4K"], 1120),
};
const nb: ModelCapabilities = {
  ...flash, id: "gemini-2.5-flash-image", name: "Nano Banana", is_default: false, aspect_ratios: ["1:1", "16:9"], image_sizes: [],
  default_image_size: null, thinking_levels: [], default_thinking_level: null, thinks: false, supports_thoughts: false,
  search_types: [], max_reference_images: 3, outputs: outputs(["1:1", "16:9"], [null], 1290),
};

describe("params", () => {
  it("defaults from the table", () => {
    const s = defaultSelection(flash);
    expect(s).toMatchObject({ image_size: "1K", thinking_level: "minimal", include_thoughts: true, aspect_ratio: null });
    expect(defaultSelection(nb).image_size).toBeNull();
  });
  it("switching 3.1 Flash 512 to Pro says what changed", () => {
    const s = { ...defaultSelection(flash), image_size: "512", aspect_ratio: "1:8", search_image: true, search_web: true, thinking_level: "high" };
    const { selection, changes } = switchModel(s, pro);
    expect(selection.image_size).toBe("1K");
    expect(selection.aspect_ratio).toBe("2:3");
    expect(selection.search_image).toBe(false);
    expect(selection.search_web).toBe(true);
    expect(changes).toContain("512 is not offered by Nano Banana Pro; now 1K.");
    expect(changes).toContain("1:8 is not offered by Nano Banana Pro; now 2:3.");
    expect(changes).toContain("Image search is not offered by Nano Banana Pro; turned off.");
    expect(changes.some((c) => c.includes("High"))).toBe(true);
  });
  it("keeps what fits and says nothing then", () => {
    const s = { ...defaultSelection(flash), image_size: "4K", aspect_ratio: "16:9" };
    const r = switchModel(s, pro);
    expect(r.changes).toEqual([]);
    expect(r.selection.image_size).toBe("4K");
  });
  it("2.5 drops the size and the reference overflow is said", () => {
    const r = switchModel({ ...defaultSelection(flash), image_size: "2K" }, nb, 5);
    expect(r.selection.image_size).toBeNull();
    expect(r.changes.join(" ")).toMatch(/no size choice/);
    expect(r.changes.join(" ")).toMatch(/at most 3 references; remove 2/);
  });
  it("nearest values", () => {
    expect(nearestRatio("21:9", ["1:1", "16:9"])).toBe("16:9");
    expect(nearestSize("512", ["1K", "2K"])).toBe("1K");
    expect(nearestSize("4K", ["1K", "2K"])).toBe("2K");
  });
  it("toParams sends only what the model accepts", () => {
    const p = toParams({ ...defaultSelection(flash), search_image: true, count: 9 }, nb);
    expect(p).toMatchObject({ model: nb.id, image_size: null, thinking_level: null, include_thoughts: false, search: { web: false, image: false }, count: 4 });
  });
  it("fromParams restores a stored request", () => {
    const { selection } = fromParams({ model: pro.id, image_size: "4K", aspect_ratio: "16:9", search: { web: true } }, [flash, pro, nb]);
    expect(selection).toMatchObject({ model: pro.id, image_size: "4K", aspect_ratio: "16:9", search_web: true });
  });
  it("outputFormat finds the row", () => {
    expect(outputFormat(nb, { aspect_ratio: "16:9", image_size: "2K" })?.tokens).toBe(1290);
    expect(outputFormat(flash, { aspect_ratio: null, image_size: "4K" })?.aspect_ratio).toBe("1:1");
  });
});

const ref = (hash: string, kind: "image" | "video" = "image") => ({ hash, name: hash + (kind === "video" ? ".mp4" : ".png"), mime: kind === "video" ? "video/mp4" : "image/png", width: 1, height: 1, bytes: 1, kind, duration_ms: kind === "video" ? 7000 : null });
describe("references", () => {
  it("refuses the 15th by name and keeps the rest", () => {
    const incoming = Array.from({ length: 15 }, (_, i) => ({ name: `p${i + 1}.png`, reference: ref("h" + i), error: null }));
    const r = addReferences([], incoming, 14, "Nano Banana 2");
    expect(r.list).toHaveLength(14);
    expect(r.refused).toEqual(["“p15.png” was not added: Nano Banana 2 takes at most 14 references."]);
  });
  it("refuses bad files one by one and skips duplicates", () => {
    const r = addReferences([ref("a")], [
      { name: "bad.png", reference: null, error: { kind: "invalid_reference", message: "bad.png is not an image" } },
      { name: "a-again.png", reference: ref("a"), error: null },
      { name: "b.png", reference: ref("b"), error: null },
    ], 14, "X");
    expect(r.list.map((x) => x.hash)).toEqual(["a", "b"]);
    expect(r.refused[0]).toContain("bad.png");
    expect(r.refused[1]).toContain("already");
  });
  it("moves items", () => {
    expect(moveItem([1, 2, 3], 0, 2)).toEqual([2, 3, 1]);
    expect(moveItem([1, 2, 3], 2, 0)).toEqual([3, 1, 2]);
    expect(moveItem([1, 2, 3], 5, 0)).toEqual([1, 2, 3]);
  });
});

describe("grounding", () => {
  it("parses sources and keeps the chip HTML untouched", () => {
    const html = "<style>.x{}</style><div class=x>chip</div>";
    const g = parseGrounding({
      searchEntryPoint: { renderedContent: html },
      groundingChunks: [
        { web: { uri: "https://www.example.com/a", title: "Example A" } },
        { web: { uri: "javascript:alert(1)", title: "evil" } },
        { image: { sourceUri: "https://pics.example.org/page", imageUri: "https://pics.example.org/i.jpg", title: "Pic", domain: "pics.example.org" } },
      ],
      webSearchQueries: ["banana bread"], imageSearchQueries: ["banana"],
    })!;
    expect(g.entryPointHtml).toBe(html);
    expect(g.web).toEqual([{ uri: "https://www.example.com/a", title: "Example A", domain: "example.com" }]);
    expect(g.images[0]).toMatchObject({ sourceUri: "https://pics.example.org/page", imageUri: "https://pics.example.org/i.jpg" });
    expect(g.webQueries).toEqual(["banana bread"]);
  });
  it("null when empty", () => {
    expect(parseGrounding(null)).toBeNull();
    expect(parseGrounding({})).toBeNull();
  });
  it("urls", () => {
    expect(searchUrl("a b&c")).toBe("https://www.google.com/search?q=a%20b%26c");
    expect(isHttpUrl("file:///etc/passwd")).toBe(false);
  });
});

describe("virtual grid", () => {
  it("lays out columns", () => {
    const l = gridLayout(1000, 150, 8);
    expect(l.cols).toBe(6);
    expect(l.rowHeight).toBe(l.tile + 8);
  });
  it("renders only visible rows at any depth", () => {
    const l = { cols: 6, tile: 160, rowHeight: 168, gap: 8 };
    const r = visibleRange(168 * 10000, 600, l, 100000);
    expect(r.firstRow).toBe(9998);
    expect(r.last - r.first + 1).toBeLessThan(200);
    expect(pagesFor(r.first, r.last, 100)).toEqual([599, 600]);
    expect(visibleRange(0, 600, l, 0).last).toBeLessThan(0);
  });
  it("moves focus with keys", () => {
    expect(moveFocus(0, "ArrowDown", 6, 100)).toBe(6);
    expect(moveFocus(0, "ArrowLeft", 6, 100)).toBe(0);
    expect(moveFocus(98, "ArrowDown", 6, 100)).toBe(99);
    expect(moveFocus(5, "x", 6, 100)).toBeNull();
  });
});

describe("markdown", () => {
  it("parses the subset", () => {
    expect(parseInline("a **b** *c* `d`")).toEqual([
      { t: "text", v: "a " }, { t: "strong", v: "b" }, { t: "text", v: " " }, { t: "em", v: "c" }, { t: "text", v: " " }, { t: "code", v: "d" },
    ]);
    const b = parseMarkdown("# Title\n\n- one\n- two\n\ntext <script>x</script>");
    expect(b[0]).toMatchObject({ t: "h", level: 1 });
    expect(b[1]).toMatchObject({ t: "ul" });
    expect(b[2]).toEqual({ t: "p", inl: [{ t: "text", v: "text <script>x</script>" }] });
  });
});

describe("character references", () => {
  it("are refused only beyond the model's limit, saying how many to change", () => {
    expect(characterExcess("Nano Banana 2", 4, 4)).toBeNull();
    expect(characterExcess("Nano Banana 2", 4, 6)).toBe("Nano Banana 2 keeps at most 4 characters consistent; 6 references are marked as characters: mark 2 as objects before generating.");
  });
});

describe("video references", () => {
  it("do not count against the image limit", () => {
    const images = Array.from({ length: 14 }, (_, i) => ref("h" + i));
    const r = addReferences(images, [{ name: "clip.mp4", reference: ref("v", "video"), error: null }, { name: "p15.png", reference: ref("h15"), error: null }], 14, "Nano Banana 2");
    expect(r.list).toHaveLength(15);
    expect(imageCount(r.list)).toBe(14);
    expect(r.refused).toEqual(["“p15.png” was not added: Nano Banana 2 takes at most 14 references."]);
  });
  it("show their length", () => {
    expect(formatDuration(7000)).toBe("0:07");
    expect(formatDuration(723_400)).toBe("12:03");
    expect(formatDuration(3_723_000)).toBe("1:02:03");
    expect(formatDuration(null)).toBe("video");
  });
  it("are refused by name on models without video input, naming the model that takes them", () => {
    const refs = [ref("a"), ref("v", "video")];
    expect(videoNotice(refs, { name: "Nano Banana 2.1", video_input: false }, [{ name: "Nano Banana 2 (3.1 Flash)" }]))
      .toBe("Nano Banana 2.1 does not take video; videos work with Nano Banana 2 (3.1 Flash): remove “v.mp4” or switch model.");
    expect(videoNotice(refs, { name: "Nano Banana 2 (3.1 Flash)", video_input: true }, [])).toBeNull();
    expect(videoNotice([ref("a")], { name: "Nano Banana 2.1", video_input: false }, [])).toBeNull();
  });
});

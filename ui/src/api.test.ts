import { describe, expect, it } from "vitest";
import { asCommandError, headerSafeName, IMAGE_RETRIES, imageUrl, retryImageUrl } from "./api";

describe("imageUrl", () => {
  it("uses the studio scheme on Linux and macOS", () => {
    expect(imageUrl("image", "abc", "Mozilla/5.0 (X11; Linux x86_64)")).toBe("studio://image/abc");
    expect(imageUrl("thumb", "x1", "Mozilla/5.0 (Macintosh)")).toBe("studio://thumb/x1");
  });
  it("uses the localhost spelling on Windows", () => {
    expect(imageUrl("ref", "ff", "Mozilla/5.0 (Windows NT 10.0)")).toBe("http://studio.localhost/ref/ff");
  });
  it("encodes ids so they cannot change the path", () => {
    expect(imageUrl("image", "../x", "Linux")).toBe("studio://image/..%2Fx");
  });
});

describe("raw uploads and errors", () => {
  it("keeps ASCII file names and percent-encodes the rest (headers are Latin-1)", () => {
    expect(headerSafeName("cat photo.png")).toBe("cat photo.png");
    expect(headerSafeName("café.png")).toBe("caf%C3%A9.png");
  });
  it("serves interim thought images by id", () => {
    expect(imageUrl("thought", "t1", "Linux")).toBe("studio://thought/t1");
  });
  it("folds any rejection into {kind, message}", () => {
    expect(asCommandError({ kind: "quota", message: "slow down" })).toEqual({ kind: "quota", message: "slow down" });
    expect(asCommandError("boom")).toEqual({ kind: "ipc", message: "boom" });
  });
});

describe("retryImageUrl", () => {
  it("asks again for an app-served image a few times, then gives up", () => {
    let url: string | null = "studio://thumb/img_1";
    const seen: string[] = [];
    while ((url = retryImageUrl(url)) !== null) seen.push(url);
    expect(seen).toEqual(Array.from({ length: IMAGE_RETRIES }, (_, i) => `studio://thumb/img_1?retry=${i + 1}`));
    expect(retryImageUrl("http://studio.localhost/image/a")).toBe("http://studio.localhost/image/a?retry=1");
  });
  it("leaves other images alone", () => {
    expect(retryImageUrl("https://example.com/favicon.ico")).toBeNull();
    expect(retryImageUrl("data:image/png;base64,AAAA")).toBeNull();
  });
});

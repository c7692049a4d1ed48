import { describe, expect, it } from "vitest";
import { imageUrl } from "./api";

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

import { describe, expect, it } from "vitest";
import { modeLabel } from "./mode";

describe("modeLabel", () => {
  it("labels the demo mode and names the fake server", () => {
    const l = modeLabel({ mode: "demo", api_base_url: "http://127.0.0.1:4000" });
    expect(l.text).toBe("Offline demo");
    expect(l.detail).toContain("http://127.0.0.1:4000");
    expect(l.tone).toBe("demo");
  });
  it("tells Google's API from a custom endpoint", () => {
    expect(modeLabel({ mode: "live", api_base_url: "https://generativelanguage.googleapis.com" }).text).toBe("Gemini API");
    expect(modeLabel({ mode: "live", api_base_url: "http://localhost:9" }).text).toBe("Custom API endpoint");
  });
});

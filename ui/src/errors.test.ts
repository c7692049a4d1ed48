import { describe, expect, it } from "vitest";
import { plainError, retryLine } from "./errors";

describe("plainError", () => {
  it("names the class in plain words and keeps the API's reason", () => {
    const e = plainError({ kind: "blocked", message: "SAFETY: the prompt was blocked" });
    expect(e.title).toBe("Blocked by the safety filters");
    expect(e.reason).toBe("SAFETY: the prompt was blocked");
    expect(e.hint).toMatch(/Rephrase/);
  });
  it("has a fallback for unknown kinds", () => {
    expect(plainError({ kind: "weird", message: "x" }).title).toBe("Something went wrong");
  });
});

describe("retryLine", () => {
  it("says the reason and the wait in seconds", () => {
    expect(retryLine("quota", 2000, 2)).toBe("quota: retrying in 2 s (attempt 2)");
    expect(retryLine("overloaded", 1500, 1)).toBe("overloaded: retrying in 1.5 s (attempt 1)");
    expect(retryLine("quota", 26_400, 1)).toBe("quota: retrying in 26 s (attempt 1)");
  });
});

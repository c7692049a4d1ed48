import { describe, expect, it } from "vitest";
import { defaultExportFolder, expandHome, homeFromDataDir } from "./paths";

describe("export folder", () => {
  it("finds the home on each platform", () => {
    expect(homeFromDataDir("/home/ann/.local/share/studio.banana.desktop")).toBe("/home/ann");
    expect(homeFromDataDir("/Users/ann/Library/Application Support/studio.banana.desktop")).toBe("/Users/ann");
    expect(homeFromDataDir("C:\\Users\\ann\\AppData\\Roaming\\studio.banana.desktop")).toBe("C:\\Users\\ann");
    expect(homeFromDataDir("/tmp/banana-data")).toBeNull();
  });
  it("defaults to Pictures/Banana Studio and expands ~", () => {
    expect(defaultExportFolder("/home/ann/.local/share/x")).toBe("/home/ann/Pictures/Banana Studio");
    expect(defaultExportFolder("/tmp/x")).toBe("~/Pictures/Banana Studio");
    expect(expandHome("~/Pictures/Banana Studio", "/home/ann/.local/share/x")).toBe("/home/ann/Pictures/Banana Studio");
    expect(expandHome(" /srv/out ", "/home/ann/.local/share/x")).toBe("/srv/out");
  });
});

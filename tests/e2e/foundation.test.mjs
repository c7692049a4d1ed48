// The real window opens, renders the first screen, round-trips a command, and loads an image through the
// studio:// scheme. Runs the app in offline demo mode with a throwaway data folder.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startDriver, Session } from "./webdriver.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const app = path.join(process.env.CARGO_TARGET_DIR ?? path.join(root, "target"), "debug/banana-studio");
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "banana-e2e-"));
let driver, s;

before(async () => {
  const env = { BANANA_STUDIO_DATA_DIR: dataDir, GEMINI_API_KEY: "" };
  driver = await startDriver({ env });
  s = await Session.create(driver.base, app);
});
after(async () => { await s?.close(); driver?.stop(); });

test("the window opens on the first screen in labelled demo mode", async () => {
  await s.waitFor(`return document.getElementById("mode-badge").textContent === "Offline demo"`, { what: "demo badge" });
  assert.equal(await s.exec(`return document.title`), "Banana Studio");
  for (const id of ["prompt", "refs-drop", "generate", "model", "gallery-strip"]) {
    assert.equal(await s.exec(`return !!document.getElementById(arguments[0])`, [id]), true, id);
  }
});

test("app_info round-trips through IPC with the data folder", async () => {
  await s.click("#nav-settings");
  const shown = await s.waitFor(`const d = document.querySelector('[data-fact="Data folder"]'); return d && d.textContent`);
  assert.equal(shown, dataDir);
  await s.click("#nav-studio");
});

test("an image loads through the studio:// scheme at its natural size", async () => {
  const size = await s.waitFor(`const i = document.getElementById("hero"); return i.complete && i.naturalWidth ? [i.naturalWidth, i.naturalHeight, i.src] : null`, { what: "hero image" });
  assert.deepEqual(size.slice(0, 2), [512, 512]);
  assert.match(size[2], /^studio:\/\/demo\/banana\.png$/);
  fs.mkdirSync(path.join(root, "docs/screenshots"), { recursive: true });
  await s.screenshot(path.join(root, "docs/screenshots/app-window.png"));
});

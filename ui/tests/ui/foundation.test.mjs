// The first screen in headless Chromium with IPC mocked: frame, mode badge, settings, the bundled image.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { serve, launch, openApp, repoRoot } from "./harness.mjs";

const info = { name: "Banana Studio", version: "0.1.0", data_dir: "/tmp/banana-data", mode: "demo", api_base_url: "http://127.0.0.1:4321", has_api_key: false };
let server, browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

test("first screen shows the frame and the offline demo label", async () => {
  const { page, errors } = await openApp(browser, server.url, { app_info: info });
  await page.waitForFunction(() => document.getElementById("mode-badge")?.textContent === "Offline demo");
  for (const id of ["prompt", "refs-drop", "generate", "model", "aspect", "size", "gallery-strip"]) {
    assert.ok(await page.locator("#" + id).isVisible(), `#${id} visible`);
  }
  assert.match(await page.locator("#mode-badge").getAttribute("title"), /fake Gemini server at http:\/\/127\.0\.0\.1:4321/);
  const natural = await page.locator("#hero").evaluate((img) => img.complete ? img.naturalWidth : 0);
  assert.equal(natural, 512, "bundled image loads through the image URL");
  await page.screenshot({ path: path.join(repoRoot, "docs/screenshots/ui-first-screen.png") });
  assert.deepEqual(errors, []);
});

test("settings shows where data lives and whether a key is set, never a key", async () => {
  const { page } = await openApp(browser, server.url, { app_info: info });
  await page.click("#nav-settings");
  await page.waitForSelector("#settings:not([hidden])");
  assert.equal(await page.locator('[data-fact="Data folder"]').textContent(), "/tmp/banana-data");
  assert.equal(await page.locator('[data-fact="API key"]').textContent(), "Not set");
});

test("a failing backend is said in the badge", async () => {
  const { page } = await openApp(browser, server.url, { app_info: () => { throw "boom"; } });
  await page.waitForFunction(() => document.getElementById("mode-badge")?.textContent === "Backend unavailable");
});

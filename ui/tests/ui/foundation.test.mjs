// The first screen in headless Chromium with IPC mocked: frame, mode badge, settings, the bundled image.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { serve, launch, openApp } from "./harness.mjs";
import { baseHandlers, capabilities, demoInfo, images, shot } from "./fixtures.mjs";

let server, browser;
before(async () => { server = await serve(images); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

test("first screen shows the frame and the offline demo label", async () => {
  const { page, errors, context } = await openApp(browser, server.url, baseHandlers(), { fixtures: { caps: capabilities } });
  await page.waitForFunction(() => document.getElementById("mode-badge")?.textContent === "Offline demo");
  await page.waitForSelector("#output-info");
  for (const id of ["prompt", "refs-drop", "generate", "model", "aspect", "size", "gallery-strip", "demo-banner"]) {
    assert.ok(await page.locator("#" + id).isVisible(), `#${id} visible`);
  }
  assert.match(await page.locator("#mode-badge").getAttribute("title"), /fake Gemini server at http:\/\/127\.0\.0\.1:4321/);
  assert.match(await page.locator("#demo-banner").textContent(), /nothing is sent to Google/);
  const natural = await page.locator("#hero").evaluate((img) => img.complete ? img.naturalWidth : 0);
  assert.equal(natural, 512, "bundled image loads through the image URL");
  await shot(page, "first-screen");
  assert.deepEqual(errors, []);
  await context.close();
});

test("dark theme follows the OS", async () => {
  const { page, context } = await openApp(browser, server.url, baseHandlers(), { fixtures: { caps: capabilities }, colorScheme: "dark" });
  await page.waitForSelector("#output-info");
  const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor || getComputedStyle(document.documentElement).backgroundColor);
  const root = await page.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue("--bg").trim());
  assert.equal(root, "#14121f", `dark palette in use (${bg})`);
  await shot(page, "first-screen-dark");
  await context.close();
});

test("a failing backend is said in the badge", async () => {
  const { page, context } = await openApp(browser, server.url, { app_info: () => { throw "boom"; }, capabilities: () => { throw "boom"; } });
  await page.waitForFunction(() => document.getElementById("mode-badge")?.textContent === "Backend unavailable");
  assert.match(await page.locator("#params-body").textContent(), /Could not load the models/);
  await context.close();
});

test("demo info has the fields the settings need", () => {
  assert.equal(demoInfo.key_source, "none");
});

// The first screen in headless Chromium with IPC mocked: frame, mode badge, settings, the bundled image.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { serve, launch, openApp } from "./harness.mjs";
import fs from "node:fs";
import path from "node:path";
import { repoRoot } from "./harness.mjs";
import { baseHandlers, defaultFixtures, demoInfo, images, shot } from "./fixtures.mjs";
import { bundledCatalogue, data } from "./catalogue.mjs";

let server, browser;
before(async () => { server = await serve(images); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

test("first screen shows the frame and the offline demo label", async () => {
  const { page, errors, context } = await openApp(browser, server.url, baseHandlers(), { fixtures: defaultFixtures });
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
  const { page, context } = await openApp(browser, server.url, baseHandlers(), { fixtures: defaultFixtures, colorScheme: "dark" });
  await page.waitForSelector("#output-info");
  const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor || getComputedStyle(document.documentElement).backgroundColor);
  const root = await page.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue("--bg").trim());
  assert.equal(root, "#14121f", `dark palette in use (${bg})`);
  await shot(page, "first-screen-dark");
  await context.close();
});

test("a failing backend is said in the badge", async () => {
  const { page, context } = await openApp(browser, server.url, { app_info: () => { throw "boom"; }, catalogue: () => { throw "boom"; }, refresh_catalogue: () => { throw "boom"; } });
  await page.waitForFunction(() => document.getElementById("mode-badge")?.textContent === "Backend unavailable");
  assert.match(await page.locator("#params-body").textContent(), /Could not load the models/);
  await context.close();
});

test("demo info has the fields the settings need", () => {
  assert.equal(demoInfo.key_source, "none");
});

test("the mock catalogue is a faithful copy of the backend's data file", () => {
  const file = JSON.parse(fs.readFileSync(path.join(repoRoot, "crates/studio-core/data/models.json"), "utf8"));
  const pick = (m) => Object.fromEntries(Object.keys(m).filter((k) => !["pixels", "deprecated_on"].includes(k)).map((k) => [k, m[k]]));
  assert.deepEqual(data.models.map(pick), file.models.map(pick), "tests/ui/catalogue.mjs mirrors data/models.json: copy the change over");
  assert.deepEqual(data.retired, file.retired);
  assert.equal(data.default_model, file.default_model);
  assert.equal(data.as_of, file.as_of);
  // Pixel tables: every output the mock serves is the file's figure.
  const c = bundledCatalogue();
  for (const m of c.models) {
    const entry = file.models.find((x) => x.id === m.id);
    const table = file.pixel_tables[entry.pixels];
    for (const o of m.outputs) assert.deepEqual([o.width, o.height], table.ratios[o.aspect_ratio][table.sizes.indexOf(o.image_size ?? "1K")], `${m.id} ${o.aspect_ratio} ${o.image_size}`);
  }
});

// The grounding attribution panel: the chip's HTML untouched in a sandboxed iframe, a click on it opening
// the search in the system browser, web sources as links, image sources one click from their page.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { serve, launch, calls } from "./harness.mjs";
import { images, openStudio, shot } from "./fixtures.mjs";
import { engine } from "./engine.mjs";

let server, browser;
before(async () => { server = await serve(images); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

const chip = `<style>.container{font-family:Roboto,Arial;display:flex;gap:6px;padding:8px;background:#fff}.chip{border:1px solid #ddd;border-radius:16px;padding:4px 12px;color:#1f1f1f;font-size:13px;text-decoration:none}.logo{font-weight:700;color:#4285f4}</style><div class="container"><span class="logo">Google</span><a class="chip" href="https://www.google.com/search?q=banana+bread+recipe">banana bread recipe</a><a class="chip" href="https://www.google.com/search?q=banana+varieties">banana varieties</a></div><script>window.top.__pwned = true;</script>`;

function grounding(base) {
  return {
    searchEntryPoint: { renderedContent: chip },
    groundingChunks: [
      { web: { uri: "https://www.example.com/banana-bread", title: "Classic Banana Bread", domain: "example.com" } },
      { web: { uri: "https://bananas.org/varieties", title: "Banana varieties of the world" } },
      { image: { sourceUri: "https://photos.example.net/gallery/bananas", imageUri: `${base}/studio/thumb/remote-banana`, title: "Bananas on a table", domain: "photos.example.net" } },
    ],
    webSearchQueries: ["banana bread recipe", "banana varieties"],
    imageSearchQueries: ["ripe bananas"],
  };
}

test("grounding panel: sandboxed chip, links open in the system browser, image sources lead to their page", async () => {
  const { page, context, errors } = await openStudio(browser, server, { ...engine, open_external: () => null });
  await page.evaluate((g) => { window.__SCENARIO__ = "ok"; window.__GROUNDING__ = g; }, grounding(server.url));
  await page.check("#search-web");
  await page.check("#search-image");
  await page.fill("#prompt", "An infographic of banana bread, with sources");
  await page.click("#generate");
  await page.waitForSelector(".grounding iframe.search-chip");
  const frame = page.locator(".grounding iframe.search-chip");
  assert.equal(await frame.getAttribute("sandbox"), "", "sandbox with no allowances");
  assert.doesNotMatch(await frame.getAttribute("sandbox"), /allow-scripts|allow-same-origin/);
  assert.equal(await frame.evaluate((f) => f.srcdoc), chip, "the chip's HTML is unmodified");
  await page.waitForTimeout(150);
  assert.equal(await page.evaluate(() => window.__pwned), undefined, "no script ran from the chip");
  // Web sources: title + domain, opened in the browser.
  const links = page.locator(".grounding .source-link");
  assert.equal(await links.count(), 2);
  assert.match(await links.nth(0).textContent(), /Classic Banana Bread.*example\.com/);
  assert.equal(await links.nth(1).locator(".source-domain").textContent(), "bananas.org");
  await links.nth(0).click();
  // Image source: the image is shown and one click opens its containing page, not the image file.
  const img = page.locator(".grounding .image-source img");
  assert.match(await img.getAttribute("src"), /remote-banana/);
  await img.click();
  // The chip: a click on it opens the search.
  await page.click(".chip-overlay");
  await page.click(".grounding .search-link");
  const opened = (await calls(page, "open_external")).map((c) => c.args.url);
  assert.deepEqual(opened, [
    "https://www.example.com/banana-bread",
    "https://photos.example.net/gallery/bananas",
    "https://www.google.com/search?q=banana%20bread%20recipe",
    "https://www.google.com/search?q=banana%20bread%20recipe",
  ]);
  assert.equal(page.url(), server.url + "/", "the window itself never navigated");
  // Queries listed.
  assert.match(await page.locator(".grounding .queries").textContent(), /banana bread recipe.*banana varieties.*Images: ripe bananas/);
  await shot(page, "grounding");
  assert.deepEqual(errors, []);
  await context.close();
});

test("model text is shown as text: HTML in it never becomes markup", async () => {
  const { page, context } = await openStudio(browser, server, engine);
  const evil = `**Done.** <img src=x onerror="window.__pwned=1"> <script>window.__pwned=2</script> [link](javascript:alert(1))`;
  await page.evaluate((t) => { window.__SCENARIO__ = "ok"; window.__TEXT__ = t; }, evil);
  await page.fill("#prompt", "test");
  await page.click("#generate");
  await page.waitForSelector("#model-text strong");
  assert.equal(await page.locator("#model-text img, #model-text script, #model-text a").count(), 0);
  assert.match(await page.locator("#model-text").textContent(), /<img src=x onerror=/);
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  await context.close();
});

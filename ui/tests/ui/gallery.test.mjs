// The gallery: a virtualized grid over 100,000 images (few DOM tiles, the right page fetched on scroll),
// search as you type, filters, keyboard navigation, provenance, multi-select trash, continue a chat.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { serve, launch, calls } from "./harness.mjs";
import { images, openStudio, shot } from "./fixtures.mjs";

let server, browser;
before(async () => { server = await serve(images); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

const prompts = ["A banana astronaut", "Cat in a teacup", "Neon city at night", "Watercolour lighthouse", "Isometric bakery", "Foggy forest path"];
const store = {
  gallery_list: (a) => {
    const q = a.query;
    const total = q.query === "banana" ? 5000 : q.query ? 42 : q.trashed_only ? 3 : q.favourite ? 12 : window.__FIX__.total;
    const offset = q.offset ?? 0;
    const limit = q.limit ?? 100;
    const P = window.__FIX__.prompts;
    const items = [];
    for (let i = offset; i < Math.min(total, offset + limit); i++) {
      items.push({ id: `g${q.query ? "q" : ""}${i}`, chat_id: `chat-${Math.floor(i / 3)}`, turn_id: `turn-${i}`, prompt: P[i % P.length], model: i % 4 === 3 ? "gemini-3-pro-image" : "gemini-nano-banana-2.1",
        width: 1024, height: 1024, mime: "image/png", favourite: i % 7 === 0, trashed: !!q.trashed_only, has_grounding: i % 5 === 0, created_at: 1767225600000 - i * 60000, cursor: `c${i}` });
    }
    return { items, total: a.withTotal ? total : -1 };
  },
  // The count answers late on purpose (__COUNT_DELAY__), as it does at 100k: the page must not wait for it.
  gallery_count: async (a) => {
    const q = a.query;
    await __sleep(window.__COUNT_DELAY__ ?? 0);
    return q.query === "banana" ? 5000 : q.query ? 42 : q.trashed_only ? 3 : q.favourite ? 12 : window.__FIX__.total;
  },
  gallery_get: (a) => {
    const i = Number(a.id.replace(/\D/g, ""));
    return { id: a.id, chat_id: `chat-${Math.floor(i / 3)}`, turn_id: `turn-${i}`, prompt: window.__FIX__.prompts[i % 6], model: "gemini-nano-banana-2.1", width: 1024, height: 1024, mime: "image/png",
      favourite: i % 7 === 0, trashed: false, has_grounding: false, created_at: 1767225600000 - i * 60000, cursor: "c", path: `/home/ann/.local/share/studio.banana.desktop/images/${a.id}.png`,
      sha256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", bytes: 1234567, params: { model: "gemini-nano-banana-2.1", aspect_ratio: "16:9", image_size: "2K", thinking_level: "high", search: { web: true } },
      aspect_ratio: "16:9", image_size: "2K", reference_hashes: ["r1", "r2"], text: "A **cat** in a porcelain teacup.", thoughts: "", grounding: null, usage: null, image_tokens: 1680, total_tokens: 2101, cost: null, finish_reason: "STOP", trashed_at: null };
  },
  gallery_trash: () => null,
  gallery_restore: () => null,
  gallery_delete: () => null,
  gallery_export: (a) => a.ids.length,
  gallery_set_favourite: () => null,
  chat_show: (a) => ({ id: a.chatId, title: "Cat in a teacup", model: "gemini-nano-banana-2.1", created_at: 0, updated_at: 0, turn_count: 1, head_turn_id: "turn-4",
    turns: [{ id: "turn-4", chat_id: a.chatId, parent_turn_id: null, prompt: "Cat in a teacup", reference_hashes: [], params: {}, text: "", thoughts: "", image_ids: ["g4"], grounding: null, usage: null, finish_reason: "STOP", created_at: 0, context_note: null }] }),
};

async function openGallery(total = 100000) {
  const r = await openStudio(browser, server, store, { fixtures: { total, prompts } });
  await r.page.click("#nav-gallery");
  await r.page.waitForFunction(() => document.querySelector('#gallery-grid .tile[data-id="g0"] img'));
  return r;
}

test("100,000 images: only visible rows are in the DOM and scrolling loads the right page", async () => {
  const { page, context, errors } = await openGallery();
  assert.equal(await page.locator("#gallery-count").textContent(), "100,000 images");
  const tiles = await page.locator("#gallery-grid .tile:not([hidden])").count();
  assert.ok(tiles > 10 && tiles < 200, `DOM holds ${tiles} tiles`);
  const first = (await calls(page, "gallery_list")).filter((c) => c.args.query.limit === 100);
  assert.deepEqual(first[0].args.query, { sort: "newest", offset: 0, limit: 100 });
  assert.equal(first[0].args.withTotal, false, "the page is asked for alone");
  assert.deepEqual((await calls(page, "gallery_count"))[0].args.query, { sort: "newest", offset: 0, limit: 1 });
  await shot(page, "gallery");
  // Scrolling on to the next page asks for it by keyset cursor (the last row of page 0).
  await page.evaluate(() => { document.getElementById("gallery-grid").scrollTop = 3400; });
  await page.waitForFunction(() => [...document.querySelectorAll("#gallery-grid .tile:not([hidden])")].some((t) => Number(t.dataset.index) >= 100 && t.dataset.id && Number(t.dataset.index) < 200));
  const next = (await calls(page, "gallery_list")).find((c) => c.args.query.offset === 100);
  assert.equal(next.args.query.cursor, "c99");
  assert.equal(next.args.withTotal, false);
  // Jump to the middle of the store.
  const target = await page.evaluate(() => {
    const g = document.getElementById("gallery-grid");
    g.scrollTop = g.scrollHeight / 2;
    return g.scrollTop;
  });
  await page.waitForFunction(() => {
    const ts = [...document.querySelectorAll("#gallery-grid .tile:not([hidden])")].filter((t) => t.dataset.id);
    return ts.length > 10 && ts.every((t) => Number(t.dataset.index) > 1000 && t.dataset.id === "g" + t.dataset.index);
  });
  const idx = await page.locator("#gallery-grid .tile:not([hidden])").evaluateAll((ts) => ts.map((t) => Number(t.dataset.index)));
  const min = Math.min(...idx), max = Math.max(...idx);
  assert.ok(min > 45000 && max < 55000, `tiles around the middle (${min}..${max}, scrollTop ${target})`);
  assert.ok(idx.length < 200);
  const offsets = (await calls(page, "gallery_list")).map((c) => c.args.query.offset);
  assert.ok(offsets.includes(Math.floor(min / 100) * 100), `fetched the page at ${Math.floor(min / 100) * 100} (got ${offsets.join(",")})`);
  assert.ok(!offsets.some((o) => o >= 1000 && o < Math.floor(min / 100) * 100 - 200), "pages in between are never fetched");
  assert.deepEqual(errors, []);
  await context.close();
});

test("search results show before their count arrives, and a short result needs no count", async () => {
  const { page, context, errors } = await openGallery();
  await page.evaluate(() => { window.__COUNT_DELAY__ = 1500; });
  const countsBefore = (await calls(page, "gallery_count")).length;
  await page.fill("#gallery-search", "banana");
  await page.waitForSelector('#gallery-grid .tile[data-id="gq0"] img');
  assert.equal(await page.locator("#gallery-count").textContent(), "Counting…", "results first, count after");
  await page.waitForFunction(() => document.getElementById("gallery-count").textContent === "5,000 images", null, { timeout: 5000 });
  assert.equal((await calls(page, "gallery_count")).length, countsBefore + 1);
  // The trash holds 3: one short page, so the total is known without asking.
  await page.evaluate(() => { window.__COUNT_DELAY__ = 0; });
  // Clearing the search and clicking Trash at once (inside the search's debounce) keeps the cleared text.
  const counted = (await calls(page, "gallery_count")).length;
  await page.fill("#gallery-search", "");
  await page.click("#gallery-trash");
  await page.waitForFunction(() => document.getElementById("gallery-count").textContent === "3 images in the trash");
  assert.equal(await page.locator("#gallery-search").inputValue(), "");
  assert.equal((await calls(page, "gallery_count")).length, counted, "no count call for a short page");
  assert.deepEqual(errors, []);
  await context.close();
});

test("search as you type calls galleryList with the query; filters and sort too", async () => {
  const { page, context } = await openGallery();
  await page.locator("#gallery-search").pressSequentially("teacup", { delay: 20 });
  await page.waitForFunction(() => document.getElementById("gallery-count").textContent === "42 images");
  const searches = (await calls(page, "gallery_list")).filter((c) => c.args.query.query);
  assert.equal(searches.length, 1, "debounced: one request for the whole word");
  assert.equal(searches[0].args.query.query, "teacup");
  assert.equal(searches[0].args.withTotal, false);
  assert.equal((await calls(page, "gallery_count")).filter((c) => c.args.query.query).length, 0, "42 fit in one page: nothing to count");
  await page.fill("#gallery-search", "");
  await page.check("#filter-fav");
  await page.selectOption("#filter-model", "gemini-3-pro-image");
  await page.check("#filter-grounding");
  await page.selectOption("#gallery-sort", "oldest");
  await page.selectOption("#filter-date", "7d");
  await page.waitForTimeout(300);
  const last = (await calls(page, "gallery_list")).at(-1).args.query;
  assert.equal(last.favourite, true);
  assert.equal(last.model, "gemini-3-pro-image");
  assert.equal(last.has_grounding, true);
  assert.equal(last.sort, "oldest");
  assert.ok(typeof last.since === "number");
  await page.click("#gallery-trash");
  await page.waitForFunction(() => document.getElementById("gallery-count").textContent === "3 images in the trash");
  assert.equal((await calls(page, "gallery_list")).at(-1).args.query.trashed_only, true);
  await context.close();
});

test("arrow keys move through the grid; Enter opens the provenance; continue its chat", async () => {
  const { page, context } = await openGallery();
  await page.locator('#gallery-grid .tile[data-index="0"]').focus();
  await page.keyboard.press("ArrowRight");
  await page.keyboard.press("ArrowDown");
  const focused = await page.evaluate(() => document.activeElement.dataset.index);
  const cols = await page.evaluate(() => { const t = [...document.querySelectorAll("#gallery-grid .tile:not([hidden])")]; const y0 = t[0].style.transform.split(",")[1]; return t.filter((x) => x.style.transform.split(",")[1] === y0).length; });
  assert.equal(Number(focused), 1 + cols);
  await page.keyboard.press("Enter");
  await page.waitForSelector("#detail-prompt");
  assert.equal((await calls(page, "gallery_get")).at(-1).args.id, `g${1 + cols}`);
  assert.match(await page.locator('[data-prov="Cost"]').textContent(), /1,680 image tokens · 2,101 billed tokens/);
  assert.equal(await page.locator('[data-prov="Size"]').textContent(), "2K");
  assert.match(await page.locator("#gallery-detail").textContent(), /References \(2\)/);
  await shot(page, "gallery-detail");
  await page.click("#detail-fav");
  await page.waitForFunction(() => document.getElementById("detail-fav")?.getAttribute("aria-pressed") === "true");
  assert.deepEqual((await calls(page, "gallery_set_favourite")).at(-1).args, { id: `g${1 + cols}`, favourite: true });
  await page.click("#detail-chat-filter");
  await page.waitForFunction(() => !document.getElementById("filter-chat").hidden);
  assert.equal((await calls(page, "gallery_list")).at(-1).args.query.chat_id, `chat-${Math.floor((1 + cols) / 3)}`);
  await page.locator("#gallery-grid .tile:not([hidden])").first().click();
  await page.waitForSelector("#detail-continue");
  await page.click("#detail-continue");
  await page.waitForSelector("#studio:not([hidden])");
  await page.waitForFunction(() => document.getElementById("chat-context").textContent.includes("Cat in a teacup"));
  assert.equal((await calls(page, "chat_show")).at(-1).args.chatId, "chat-0");
  await context.close();
});

test("deleting while scrolled to the end shows the new count and the last images", async () => {
  const { page, context, errors } = await openGallery(250);
  assert.equal(await page.locator("#gallery-count").textContent(), "250 images");
  await page.evaluate(() => { const g = document.getElementById("gallery-grid"); g.scrollTop = g.scrollHeight; });
  await page.waitForSelector('#gallery-grid .tile[data-id="g249"] img');
  // The store shrinks to 150 (as if many were deleted elsewhere); the refresh after trashing one starts on a
  // page that is now empty, which is no proof of where the end is.
  await page.evaluate(() => { window.__FIX__.total = 150; });
  await page.locator('#gallery-grid .tile[data-index="249"]').focus();
  await page.keyboard.press("Delete");
  await page.waitForFunction(() => document.getElementById("gallery-count").textContent === "150 images");
  await page.waitForSelector('#gallery-grid .tile[data-id="g149"] img');
  assert.deepEqual(errors, []);
  await context.close();
});

test("multi-select with Ctrl+click and Space, then move to the trash", async () => {
  const { page, context } = await openGallery();
  await page.click('#gallery-grid .tile[data-index="2"]', { modifiers: ["Control"] });
  await page.click('#gallery-grid .tile[data-index="5"]', { modifiers: ["Control"] });
  await page.keyboard.press("ArrowRight");
  await page.keyboard.press(" ");
  await page.waitForFunction(() => document.getElementById("gallery-selection").textContent.includes("3 selected"));
  await shot(page, "gallery-selection");
  await page.click("#bulk-trash");
  await page.waitForFunction(() => document.getElementById("gallery-selection").hidden);
  assert.deepEqual((await calls(page, "gallery_trash"))[0].args.ids, ["g2", "g5", "g6"]);
  await page.waitForFunction(() => document.querySelector('#gallery-grid .tile[data-id="g0"] img'));
  await page.locator('#gallery-grid .tile[data-index="3"]').focus();
  await page.keyboard.press("Delete");
  await page.waitForFunction(() => document.getElementById("toast").textContent === "Moved 1 to the trash.");
  assert.deepEqual((await calls(page, "gallery_trash"))[1].args.ids, ["g3"]);
  await page.waitForFunction(() => document.querySelector('#gallery-grid .tile[data-id="g0"] img'));
  // Export a selection to a folder.
  await page.click('#gallery-grid .tile[data-index="0"]', { modifiers: ["Control"] });
  await page.click("#bulk-export");
  await page.fill("#bulk-export-folder", "/srv/exports");
  await page.click("#bulk-export-save");
  await page.waitForFunction(() => document.getElementById("toast").textContent.startsWith("Saved 1 image to /srv/exports"));
  assert.deepEqual((await calls(page, "gallery_export"))[0].args, { ids: ["g0"], folder: "/srv/exports" });
  // The trash: restore one, delete another for good (after confirming).
  await page.click("#gallery-trash");
  await page.waitForFunction(() => document.getElementById("gallery-count").textContent === "3 images in the trash");
  await page.waitForFunction(() => document.querySelector('#gallery-grid .tile[data-id="g0"] img'));
  await page.click('#gallery-grid .tile[data-index="0"]', { modifiers: ["Control"] });
  await page.click("#bulk-restore");
  await page.waitForFunction(() => document.getElementById("gallery-selection").hidden);
  assert.deepEqual((await calls(page, "gallery_restore"))[0].args.ids, ["g0"]);
  await page.waitForFunction(() => document.querySelector('#gallery-grid .tile[data-id="g1"] img'));
  page.once("dialog", (d) => d.accept());
  await page.click('#gallery-grid .tile[data-index="1"]', { modifiers: ["Control"] });
  await page.click("#bulk-delete");
  await page.waitForFunction(() => document.getElementById("gallery-selection").hidden);
  assert.deepEqual((await calls(page, "gallery_delete"))[0].args.ids, ["g1"]);
  await context.close();
});

test("the gallery in the dark theme", async () => {
  const r = await openStudio(browser, server, store, { fixtures: { total: 240, prompts }, colorScheme: "dark" });
  await r.page.click("#nav-gallery");
  await r.page.waitForFunction(() => document.querySelector('#gallery-grid .tile[data-id="g0"] img'));
  await r.page.click('#gallery-grid .tile[data-index="1"]');
  await r.page.waitForSelector("#detail-prompt");
  await r.page.waitForFunction(() => [...document.querySelectorAll("#gallery-detail img")].every((i) => i.complete));
  await shot(r.page, "gallery-dark");
  await r.context.close();
});

test("scrolling through 100,000 images renders every frame and the DOM stays small", async () => {
  const { page, context } = await openGallery();
  const result = await page.evaluate(async () => {
    const long = [];
    window.__gridRenderMs = [];
    const obs = new PerformanceObserver((l) => long.push(...l.getEntries().map((e) => e.duration)));
    obs.observe({ type: "longtask", buffered: false });
    const g = document.getElementById("gallery-grid");
    let maxTiles = 0;
    const frames = [];
    let last = performance.now();
    for (let i = 0; i < 120; i++) {
      g.scrollTop += 900;
      await new Promise((r) => requestAnimationFrame(r));
      const now = performance.now();
      frames.push(now - last);
      last = now;
      maxTiles = Math.max(maxTiles, g.querySelectorAll(".tile").length);
    }
    await new Promise((r) => setTimeout(r, 200));
    obs.disconnect();
    frames.sort((a, b) => a - b);
    const R = [...window.__gridRenderMs].sort((a, b) => a - b);
    return { renderP95: R[Math.floor(R.length * 0.95)], renders: R.length, long, maxTiles, p95: frames[Math.floor(frames.length * 0.95)] };
  });
  assert.ok(result.maxTiles < 200, `at most ${result.maxTiles} tiles`);
  assert.ok(result.renders >= 100, `${result.renders} renders`);
  // Time is not asserted here: on a loaded 2-core machine a timed test fails for reasons the code does not
  // have. scripts/bench-app measures scroll frames and the grid's script time in the real window, against a
  // baseline in the same run (docs/benchmarks.md); this prints the figure for the log.
  console.log(`grid render p95 ${result.renderP95.toFixed(1)} ms (p95 frame ${result.p95.toFixed(1)} ms, long tasks ${result.long.length})`);
  await context.close();
});

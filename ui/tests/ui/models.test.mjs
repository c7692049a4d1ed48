// The model catalogue in the window: the picker with each model's state (a new one, one closed to the key),
// the model card, retired ids in drafts, reused parameters and continued chats moving to their successors,
// the one-click switch after a `model_retired` error, the backend's notices, the thread's marker where a chat
// moved to another model, the start-up refresh, and Settings' Models section with its Refresh button.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { serve, launch, calls } from "./harness.mjs";
import { images, openStudio, shot } from "./fixtures.mjs";
import { engine } from "./engine.mjs";
import { bundledCatalogue, liveCatalogue, newModel } from "./catalogue.mjs";

let server, browser;
before(async () => { server = await serve(images); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

const withNew = liveCatalogue({ extra: [newModel] });

async function optionTexts(page) {
  return page.locator("#model option").evaluateAll((os) => os.map((o) => ({ value: o.value, text: o.textContent, disabled: o.disabled })));
}

test("the picker shows each model's state; a new model borrows its limits; a closed one cannot be picked", async () => {
  const { page, context, errors } = await openStudio(browser, server, {}, { fixtures: { catalogue: withNew } });
  assert.deepEqual(await optionTexts(page), [
    { value: "gemini-nano-banana-2.1", text: "Nano Banana 2.1 (default)", disabled: false },
    { value: "gemini-3-pro-image", text: "Nano Banana Pro", disabled: false },
    { value: "gemini-3.1-flash-lite-image", text: "Nano Banana 2 Lite", disabled: false },
    { value: "gemini-3.1-flash-image", text: "Nano Banana 2 (3.1 Flash) (deprecated)", disabled: false },
    { value: "gemini-nano-banana-2.2-preview", text: "Nano Banana 2.2 Preview (new)", disabled: false },
    { value: "gemini-2.5-flash-image", text: "Nano Banana (unavailable for this key)", disabled: true },
  ]);
  assert.match(await page.locator('#model option[value="gemini-2.5-flash-image"]').getAttribute("title"), /only to projects that used it before/);
  // A closed model cannot be chosen, even by a change event.
  await page.evaluate(() => { const s = document.getElementById("model"); s.value = "gemini-2.5-flash-image"; s.dispatchEvent(new Event("change")); });
  assert.equal(await page.locator("#model").inputValue(), "gemini-nano-banana-2.1");
  assert.equal(await page.locator("#size").count(), 1, "still 2.1's controls");
  // The deprecated one says what replaces it.
  await page.selectOption("#model", "gemini-3.1-flash-image");
  assert.equal(await page.locator("#model-state").textContent(), "Deprecated");
  assert.match(await page.locator("#model-card").textContent(), /Deprecated in favour of Nano Banana 2\.1/);
  assert.equal(await page.locator('[data-limit="Video input"]').textContent(), "Yes (as context)");
  // The new one: badge, borrowed limits (no image search), the note.
  await page.selectOption("#model", "gemini-nano-banana-2.2-preview");
  assert.equal(await page.locator("#model-state").textContent(), "New");
  assert.equal(await page.locator("#model-availability").textContent(), "Offered to this key");
  assert.match(await page.locator("#model-card").textContent(), /limits borrowed from Nano Banana 2\.1/);
  assert.equal(await page.locator('[data-limit="Search"]').textContent(), "Web");
  assert.equal(await page.locator("#search-image").count(), 0);
  // The estimate reads the same for 2.1, so wait for the one asked for the new model, not just the text.
  await page.waitForFunction(() => window.__IPC_CALLS__.filter((c) => c.cmd === "estimate_cost").at(-1)?.args.params.model === "gemini-nano-banana-2.2-preview");
  await page.waitForFunction(() => document.getElementById("estimate").textContent.includes("1 × 1,120"));
  // For the picture: the picker's own options, opened over the page as its drop-down would be (a native
  // drop-down is not in screenshots).
  await page.evaluate(() => {
    const sel = document.getElementById("model");
    const r = sel.getBoundingClientRect();
    const open = sel.cloneNode(true);
    open.id = "model-open";
    open.size = open.options.length;
    open.value = sel.value;
    // Beside the picker, so its card stays in view.
    Object.assign(open.style, { position: "fixed", top: `${r.top}px`, right: `${innerWidth - r.left + 8}px`, width: "max-content", zIndex: "20", boxShadow: "0 6px 24px rgb(0 0 0 / .25)", background: "var(--panel)" });
    document.body.append(open);
  });
  await shot(page, "models-picker");
  assert.deepEqual(errors, []);
  await context.close();
});

test("a saved draft on a retired model opens on its successor, and says so", async () => {
  const draft = { model: "gemini-3.1-flash-image-preview", aspect_ratio: "1:8", image_size: "512", thinking_level: "high", include_thoughts: true, search_web: true, search_image: true, images_only: false, count: 1 };
  const { page, context, errors } = await openStudio(browser, server, {}, { storage: { "banana.params": JSON.stringify(draft) } });
  assert.equal(await page.locator("#model").inputValue(), "gemini-nano-banana-2.1");
  const said = await page.locator("#params-changes").textContent();
  assert.match(said, /^Google retired gemini-3\.1-flash-image-preview on 2026-06-25; now Nano Banana 2\.1\./);
  assert.match(said, /512 is not offered by Nano Banana 2\.1; now 1K\./);
  assert.equal(await page.locator("#aspect").inputValue(), "1:8", "what fits stays");
  assert.equal(await page.locator("#thinking").inputValue(), "high");
  assert.ok(await page.locator("#search-image").isChecked());
  await page.waitForFunction(() => document.getElementById("estimate").textContent.includes("1 × 1,120"));
  assert.equal((await calls(page, "estimate_cost")).at(-1).args.params.model, "gemini-nano-banana-2.1");
  assert.equal(JSON.parse(await page.evaluate(() => localStorage.getItem("banana.params"))).model, "gemini-nano-banana-2.1", "the draft is saved on the successor");
  // Next start: nothing more to say.
  await page.reload();
  await page.waitForSelector("#output-info");
  assert.equal(await page.locator("#params-changes").isVisible(), false);
  assert.deepEqual(errors, []);
  await context.close();
});

const oldImage = {
  gallery_list: () => ({ items: [{ id: "old-1", chat_id: "chat-old", turn_id: "turn-old", prompt: "A lighthouse in fog", model: "gemini-3-pro-image-preview", width: 1024, height: 1024, mime: "image/png",
    favourite: false, trashed: false, has_grounding: false, created_at: 1750000000000, cursor: "c0" }], total: 1 }),
  gallery_count: () => 1,
  gallery_get: (a) => ({ id: a.id, chat_id: "chat-old", turn_id: "turn-old", prompt: "A lighthouse in fog", model: "gemini-3-pro-image-preview", width: 1024, height: 1024, mime: "image/png",
    favourite: false, trashed: false, has_grounding: false, created_at: 1750000000000, cursor: "c0", path: "/data/images/old-1.png", sha256: "ab", bytes: 1000,
    params: { model: "gemini-3-pro-image-preview", aspect_ratio: "21:9", image_size: "4K", search: { web: true } }, aspect_ratio: "21:9", image_size: "4K", reference_hashes: [], text: "", thoughts: "",
    grounding: null, usage: null, image_tokens: 2000, total_tokens: 2100, cost: null, finish_reason: "STOP", trashed_at: null }),
  chat_show: (a) => ({ id: a.chatId, title: "A lighthouse in fog", model: "gemini-3-pro-image-preview", created_at: 0, updated_at: 0, turn_count: 1, head_turn_id: "turn-old",
    turns: [{ id: "turn-old", chat_id: a.chatId, parent_turn_id: null, prompt: "A lighthouse in fog", reference_hashes: [], params: { model: "gemini-3-pro-image-preview", image_size: "4K" },
      text: "", thoughts: "", image_ids: ["old-1"], grounding: null, usage: null, finish_reason: "STOP", created_at: 0, context_note: null }] }),
};

test("an image made with a retired model: its parameters and its chat move to the successor", async () => {
  const { page, context, errors } = await openStudio(browser, server, oldImage);
  await page.click("#nav-gallery");
  await page.locator('#gallery-grid .tile[data-id="old-1"]').click();
  await page.waitForSelector("#detail-reuse");
  assert.equal(await page.locator('[data-prov="Model"]').textContent(), "Nano Banana Pro (preview) (gemini-3-pro-image-preview, retired)");
  assert.ok(await page.locator('#filter-model option[value="gemini-3-pro-image-preview"]').count(), "old images stay findable by their model");
  // Reuse parameters.
  await page.click("#detail-reuse");
  await page.waitForSelector("#studio:not([hidden])");
  assert.equal(await page.locator("#model").inputValue(), "gemini-3-pro-image");
  assert.equal(await page.locator("#size").inputValue(), "4K");
  assert.equal(await page.locator("#aspect").inputValue(), "21:9");
  assert.match(await page.locator("#params-changes").textContent(), /Parameters restored from the image\.\s*Google retired gemini-3-pro-image-preview on 2026-06-25; now Nano Banana Pro\./);
  // Continue its chat from the gallery while another model is picked.
  await page.selectOption("#model", "gemini-nano-banana-2.1");
  await page.click("#nav-gallery");
  await page.locator('#gallery-grid .tile[data-id="old-1"]').click();
  await page.click("#detail-continue");
  await page.waitForFunction(() => document.getElementById("chat-context").textContent.includes("A lighthouse in fog"));
  await page.waitForFunction(() => document.getElementById("model").value === "gemini-3-pro-image");
  assert.match(await page.locator("#params-changes").textContent(), /^Google retired gemini-3-pro-image-preview on 2026-06-25; now Nano Banana Pro\./);
  assert.deepEqual(errors, []);
  await context.close();
});

test("a model_retired error keeps the prompt and offers a one-click switch; the next Generate works", async () => {
  const retire = { id: "gemini-3.1-flash-image", successor: "gemini-nano-banana-2.1", successorName: "Nano Banana 2.1", catalogue: liveCatalogue({ retire: ["gemini-3.1-flash-image"] }) };
  const { page, context, errors } = await openStudio(browser, server, engine, { fixtures: { retire } });
  await page.evaluate(() => { window.__SCENARIO__ = "ok"; });
  await page.selectOption("#model", "gemini-3.1-flash-image");
  await page.selectOption("#size", "512");
  await page.fill("#prompt", "A banana astronaut, watercolour");
  await page.evaluate(() => window.__emitMock("tauri://drag-drop", { paths: ["/home/ann/cat.png"], position: { x: 1, y: 1 } }));
  await page.waitForFunction(() => document.querySelectorAll("#refs .ref").length === 1);
  await page.click("#generate");
  await page.waitForSelector("#error:not([hidden])");
  assert.equal(await page.locator("#error strong").textContent(), "Google retired this model");
  assert.match(await page.locator("#error .error-reason").textContent(), /Google has retired gemini-3\.1-flash-image; Nano Banana 2\.1 \(gemini-nano-banana-2\.1\) replaces it/);
  assert.equal(await page.locator("#error-switch-model").textContent(), "Switch to Nano Banana 2.1");
  assert.equal(await page.locator("#prompt").inputValue(), "A banana astronaut, watercolour", "prompt kept");
  assert.equal(await page.locator("#refs .ref").count(), 1, "references kept");
  await shot(page, "error-retired");
  const before = (await calls(page, "catalogue")).length;
  await page.click("#error-switch-model");
  await page.waitForFunction(() => document.getElementById("model").value === "gemini-nano-banana-2.1");
  assert.equal((await calls(page, "catalogue")).length, before + 1, "the catalogue is read again");
  assert.equal(await page.locator("#error").isVisible(), false);
  assert.match(await page.locator("#params-changes").textContent(), /Google retired gemini-3\.1-flash-image; now Nano Banana 2\.1\..*512 is not offered by Nano Banana 2\.1; now 1K\./);
  assert.equal(await page.locator('#model option[value="gemini-3.1-flash-image"]').count(), 0, "the retired model left the picker");
  assert.match(await page.locator("#run-status").textContent(), /Now on Nano Banana 2\.1/);
  await page.click("#generate");
  await page.waitForSelector("#result-image");
  const g = await calls(page, "generate");
  assert.equal(g.at(-1).args.request.params.model, "gemini-nano-banana-2.1");
  assert.equal(g.at(-1).args.request.params.image_size, "1K");
  assert.deepEqual(errors, []);
  await context.close();
});

test("a model_unavailable error says so and switches to the model it names", async () => {
  const { page, context } = await openStudio(browser, server, engine);
  await page.evaluate(() => { window.__SCENARIO__ = "unavailable"; });
  await page.selectOption("#model", "gemini-3-pro-image");
  await page.fill("#prompt", "A banana astronaut");
  await page.click("#generate");
  await page.waitForSelector("#error:not([hidden])");
  assert.equal(await page.locator("#error strong").textContent(), "This model is not available for your API key");
  assert.equal(await page.locator("#error-switch-model").textContent(), "Switch to Nano Banana 2.1");
  await page.click("#error-switch-model");
  await page.waitForFunction(() => document.getElementById("model").value === "gemini-nano-banana-2.1");
  assert.match(await page.locator("#params-changes").textContent(), /^Nano Banana Pro is not available for this key; now Nano Banana 2\.1\./);
  assert.equal(await page.locator("#prompt").inputValue(), "A banana astronaut");
  await context.close();
});

test("the backend's notices are shown while generating and with the result", async () => {
  const notice = "Google retired gemini-3.1-flash-image-preview on 2026-06-25; Nano Banana 2.1 (gemini-nano-banana-2.1) replaces it, so this request uses it";
  const { page, context, errors } = await openStudio(browser, server, engine);
  await page.evaluate((n) => { window.__SCENARIO__ = "slow"; window.__NOTICES__ = [n]; }, notice);
  await page.fill("#prompt", "A banana astronaut");
  await page.click("#generate");
  await page.waitForSelector("#progress-notices li");
  assert.equal(await page.locator("#progress-notices").textContent(), notice);
  await page.click("#cancel");
  await page.waitForFunction(() => document.getElementById("run-status").textContent.startsWith("Cancelled"));
  await page.evaluate(() => { window.__SCENARIO__ = "ok"; });
  await page.click("#generate");
  await page.waitForSelector("#result-notices li");
  assert.equal(await page.locator("#result-notices").textContent(), notice);
  assert.deepEqual(errors, []);
  await context.close();
});

test("where a chat moved to another model, the thread marks the restart with the backend's note", async () => {
  const note = "Continued on Nano Banana Pro from the previous image: Nano Banana 2.1's context could not carry over.";
  const { page, context, errors } = await openStudio(browser, server, engine);
  await page.evaluate(() => { window.__SCENARIO__ = "ok"; });
  await page.fill("#prompt", "A banana astronaut, watercolour");
  await page.click("#generate");
  await page.waitForSelector("#thread:not([hidden]) .turn");
  await page.selectOption("#model", "gemini-3-pro-image");
  await page.evaluate((n) => { window.__CONTEXT_NOTE__ = n; window.__NOTICES__ = [n]; }, note);
  await page.fill("#prompt", "Now with crisp lettering: BANANA ONE");
  await page.click("#generate");
  await page.waitForFunction(() => document.querySelectorAll("#turns .turn").length === 2);
  assert.equal(await page.locator("#turns .turn").nth(0).locator(".context-note").count(), 0);
  const marker = page.locator("#turns .turn").nth(1).locator(".context-note");
  assert.equal(await marker.getAttribute("role"), "note");
  assert.equal(await marker.locator("p").textContent(), note);
  await page.waitForFunction(() => [...document.querySelectorAll("img")].every((i) => !i.src || i.complete));
  await page.waitForFunction(() => document.getElementById("result-cost")?.textContent.includes("billed"));
  await shot(page, "thread-context-note");
  assert.deepEqual(errors, []);
  await context.close();
});

test("start-up shows the cached list at once, then a background refresh updates the picker", async () => {
  const { page, context, errors } = await openStudio(browser, server, {}, { fixtures: { background: withNew, refreshDelay: 1500 } });
  // The picker was built from catalogue() before models.list answered.
  assert.equal(await page.locator('#model option[value="gemini-nano-banana-2.2-preview"]').count(), 0);
  await page.waitForSelector('#model option[value="gemini-nano-banana-2.2-preview"]', { state: "attached" });
  assert.deepEqual((await calls(page, "refresh_catalogue")).map((c) => c.args), [{ force: false }]);
  assert.equal(await page.locator("#model").inputValue(), "gemini-nano-banana-2.1", "the selection stays");
  assert.equal(await page.locator("#params-changes").isVisible(), false, "nothing to say");
  assert.deepEqual(errors, []);
  await context.close();
});

const NOW = "2026-12-02T12:00:00Z";

test("Settings' Models section: where the list comes from, when it was read, the counts; Refresh updates the picker", async () => {
  const forced = liveCatalogue({ extra: [newModel], fetchedAt: NOW });
  const { page, context, errors } = await openStudio(browser, server, {}, { now: NOW, fixtures: { forced, refreshDelay: 100 } });
  await page.click("#nav-settings");
  const fact = (k) => page.locator(`[data-model-fact="${k}"]`).textContent();
  assert.equal(await page.locator("#models-note").textContent(), "4 image models offered to this key by Google's models.list");
  assert.equal(await fact("Source"), "Google's models.list for this key");
  assert.equal(await fact("Last checked"), "2026-12-02 09:30, 2 hours ago");
  assert.equal(await fact("Model data"), "2026-12-02 (format 2)");
  assert.equal(await fact("Models"), "4 available · 1 unavailable · 2 retired ids");
  assert.match(await page.locator('#models-list [data-model="gemini-2.5-flash-image"]').textContent(), /Unavailable for this key.*only to projects that used it before/);
  assert.match(await page.locator('#models-list [data-model="gemini-3.1-flash-image-preview"]').textContent(), /Retired on 2026-06-25; .* move to Nano Banana 2\.1/);
  await page.click("#refresh-models");
  assert.equal(await page.locator("#models-result").textContent(), "Reading the model list from Google…");
  assert.ok(await page.locator("#refresh-models").isDisabled());
  await page.waitForFunction(() => document.getElementById("models-result").textContent.startsWith("Updated"));
  assert.equal(await page.locator("#models-result").textContent(), "Updated: 5 models offered to this key.");
  assert.deepEqual((await calls(page, "refresh_catalogue")).map((c) => c.args), [{ force: false }, { force: true }]);
  assert.equal(await fact("Last checked"), "2026-12-02 12:00, just now");
  assert.equal(await fact("Models"), "5 available · 1 unavailable · 1 new · 2 retired ids");
  assert.ok(await page.locator("#refresh-models").isEnabled());
  await page.locator("#models-section").scrollIntoViewIfNeeded();
  await page.evaluate(() => document.getElementById("models-section").scrollIntoView({ block: "start" }));
  await shot(page, "settings-models");
  // The picker follows.
  await page.click("#nav-studio");
  assert.equal(await page.locator('#model option[value="gemini-nano-banana-2.2-preview"]').textContent(), "Nano Banana 2.2 Preview (new)");
  // Refreshing again with nothing new says so.
  await page.click("#nav-settings");
  await page.click("#refresh-models");
  await page.waitForFunction(() => document.getElementById("models-result").textContent.startsWith("Checked"));
  assert.equal(await page.locator("#models-result").textContent(), "Checked, unchanged: 5 models offered to this key.");
  assert.deepEqual(errors, []);
  await context.close();
});

test("offline: the bundled list is said to be unchecked, and a failed refresh keeps it", async () => {
  const forced = { error: { kind: "network", message: "error sending request for url (https://generativelanguage.googleapis.com/v1beta/models): connection refused" } };
  const { page, context } = await openStudio(browser, server, {}, { now: NOW, fixtures: { catalogue: bundledCatalogue(), forced } });
  assert.equal(await page.locator("#model-availability").textContent(), "Not checked with Google");
  assert.equal(await page.locator('#model option[value="gemini-2.5-flash-image"]').textContent(), "Nano Banana (restricted)");
  await page.click("#nav-settings");
  const fact = (k) => page.locator(`[data-model-fact="${k}"]`).textContent();
  assert.equal(await fact("Source"), "The list bundled with this version (not checked with Google)");
  assert.equal(await fact("Last checked"), "Not yet");
  assert.equal(await fact("Models"), "5 available · 2 retired ids");
  await page.click("#refresh-models");
  await page.waitForFunction(() => document.getElementById("models-result").textContent.startsWith("Could not"));
  assert.match(await page.locator("#models-result").textContent(), /^Could not refresh: error sending request.*connection refused\. The list shown is kept\.$/);
  assert.equal(await fact("Models"), "5 available · 2 retired ids");
  await context.close();
});

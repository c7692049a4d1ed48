// The composer and the parameters panel: capability-driven controls per model, the model switch message,
// references by OS drop / picker / paste with the limit enforced and bad files refused by name.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { serve, launch, calls } from "./harness.mjs";
import { images, openStudio, pictureFor, shot } from "./fixtures.mjs";
import { engine } from "./engine.mjs";

let server, browser;
before(async () => { server = await serve(images); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

const importHandlers = {
  import_reference_paths: (a) => a.paths.map((p) => {
    const name = p.split("/").pop();
    if (name.includes("corrupt")) return { name, reference: null, error: { kind: "invalid_reference", message: `${name} is not a PNG, JPEG, WebP or HEIC image` } };
    if (name.endsWith(".mp4")) return { name, reference: { hash: "v" + name.replace(/\W/g, ""), name, mime: "video/mp4", width: 0, height: 0, bytes: 5_000_000, kind: "video", duration_ms: 12_400 }, error: null };
    return { name, reference: { hash: "h" + name.replace(/\W/g, ""), name, mime: "image/png", width: 640, height: 480, bytes: 1000, kind: "image", duration_ms: null }, error: null };
  }),
  import_reference_bytes: (_bytes, options) => {
    const name = decodeURIComponent(options.headers["x-file-name"]);
    if (name.includes("corrupt")) throw { kind: "invalid_reference", message: `${name} is not a PNG, JPEG, WebP or HEIC image` };
    return { hash: "b" + name.replace(/\W/g, ""), name, mime: "image/png", width: 256, height: 256, bytes: 2000 };
  },
};

async function options(page, id) {
  return page.locator(`#${id} option`).evaluateAll((os) => os.map((o) => o.value));
}

test("Nano Banana 2.1 offers every ratio, 1K to 4K, three thinking levels and both search types", async () => {
  const { page, context } = await openStudio(browser, server);
  assert.equal(await page.locator("#model").inputValue(), "gemini-nano-banana-2.1");
  const ratios = await options(page, "aspect");
  assert.ok(ratios.includes("1:8") && ratios.includes("8:1") && ratios.length === 15, "14 ratios + auto");
  assert.deepEqual(await options(page, "size"), ["1K", "2K", "4K"]);
  assert.deepEqual(await options(page, "thinking"), ["minimal", "medium", "high"]);
  assert.equal(await page.locator("#thinking").inputValue(), "medium");
  assert.ok(await page.locator("#search-web").isVisible());
  assert.ok(await page.locator("#search-image").isVisible());
  assert.equal(await page.locator("#model-state").textContent(), "Default");
  assert.equal(await page.locator('[data-limit="References"]').textContent(), "Up to 14 (10 objects, 4 characters)");
  await page.selectOption("#aspect", "16:9");
  await page.selectOption("#size", "2K");
  await page.waitForFunction(() => document.getElementById("output-info").textContent.includes("2752 × 1536"));
  assert.match(await page.locator("#output-info").textContent(), /1,680 output tokens per image/);
  await page.selectOption("#count", "3");
  await page.waitForFunction(() => document.getElementById("estimate").textContent.includes("3 × 1,680 = 5,040"));
  const est = await calls(page, "estimate_cost");
  assert.deepEqual(est.at(-1).args.params, { model: "gemini-nano-banana-2.1", aspect_ratio: "16:9", image_size: "2K", thinking_level: "medium", include_thoughts: true, search: { web: false, image: false }, images_only: false, count: 3 });
  await shot(page, "params-flash");
  await context.close();
});

test("Pro has no 1:8, no thinking choice and no image search; Lite is 1K only without search", async () => {
  const { page, context } = await openStudio(browser, server);
  await page.selectOption("#model", "gemini-3-pro-image");
  const ratios = await options(page, "aspect");
  assert.ok(!ratios.includes("1:8") && !ratios.includes("4:1"));
  assert.deepEqual(await options(page, "size"), ["1K", "2K", "4K"]);
  assert.equal(await page.locator("#thinking").count(), 0);
  assert.match(await page.locator("#thinking-note").textContent(), /Always thinks/);
  assert.equal(await page.locator("#search-image").count(), 0);
  assert.ok(await page.locator("#search-web").isVisible());
  assert.match(await page.locator("#model-card").textContent(), /No free tier/);
  await page.selectOption("#model", "gemini-3.1-flash-lite-image");
  assert.deepEqual(await options(page, "size"), ["1K"]);
  assert.deepEqual(await options(page, "thinking"), ["minimal", "high"]);
  assert.match(await page.locator("#search-note").textContent(), /Not offered/);
  assert.equal(await page.locator('[data-limit="Search"]').textContent(), "None");
  await page.waitForFunction(() => document.getElementById("estimate").textContent.includes("1 × 1,120"));
  await context.close();
});

test("2.5 Flash Image, for a key that still has it, has no size control and takes 3 references", async () => {
  const { liveCatalogue } = await import("./catalogue.mjs");
  const { page, context } = await openStudio(browser, server, {}, { fixtures: { catalogue: liveCatalogue({ unavailable: [] }) } });
  await page.selectOption("#model", "gemini-2.5-flash-image");
  assert.equal(await page.locator("#size").count(), 0, "no size control on 2.5");
  assert.match(await page.locator("#size-note").textContent(), /No size choice/);
  assert.equal(await page.locator("#include-thoughts").count(), 0);
  assert.match(await page.locator("#search-note").textContent(), /Not offered/);
  assert.match(await page.locator("#output-info").textContent(), /1024 × 1024 px.*1,290 output tokens/);
  assert.match(await page.locator("#refs-count").textContent(), /0 \/ 3/);
  assert.equal(await page.locator("#model-state").textContent(), "Restricted");
  await page.waitForFunction(() => document.getElementById("estimate").textContent.includes("1 × 1,290"));
  await shot(page, "params-nano-banana");
  await context.close();
});

test("switching from 3.1 Flash 512 to Pro keeps what fits and says what changed", async () => {
  const { page, context } = await openStudio(browser, server);
  await page.selectOption("#model", "gemini-3.1-flash-image");
  await page.selectOption("#aspect", "1:8");
  await page.selectOption("#size", "512");
  await page.selectOption("#thinking", "high");
  await page.check("#search-web");
  await page.check("#search-image");
  await page.selectOption("#model", "gemini-3-pro-image");
  const said = await page.locator("#params-changes").textContent();
  assert.match(said, /512 is not offered by Nano Banana Pro; now 1K\./);
  assert.match(said, /1:8 is not offered by Nano Banana Pro; now 9:16\./);
  assert.match(said, /Image search is not offered by Nano Banana Pro; turned off\./);
  assert.match(said, /High is dropped/);
  assert.equal(await page.locator("#size").inputValue(), "1K");
  assert.equal(await page.locator("#aspect").inputValue(), "9:16");
  assert.ok(await page.locator("#search-web").isChecked(), "web search still fits and is kept");
  assert.match(await page.locator("#output-info").textContent(), /768 × 1376/);
  await page.waitForFunction(() => document.getElementById("estimate").textContent.includes("1 × 1,120"));
  await shot(page, "params-switch");
  // 4K survives a switch back to Pro from 2.1.
  await page.selectOption("#model", "gemini-nano-banana-2.1");
  await page.selectOption("#size", "4K");
  await page.selectOption("#model", "gemini-3-pro-image");
  assert.equal(await page.locator("#size").inputValue(), "4K");
  // Only 2.1's thinking level has no place on Pro; the size is not mentioned.
  assert.equal(await page.locator("#params-changes").textContent(), "Nano Banana Pro has no thinking level choice (it always thinks); Medium is dropped.");
  await context.close();
});

test("dropping 15 files from the file manager keeps 14 and names the 15th", async () => {
  const { page, context } = await openStudio(browser, server, importHandlers);
  const paths = Array.from({ length: 15 }, (_, i) => `/home/ann/Photos/photo-${String(i + 1).padStart(2, "0")}.jpg`);
  await page.evaluate((paths) => window.__emitMock("tauri://drag-drop", { paths, position: { x: 100, y: 300 } }), paths);
  await page.waitForFunction(() => document.querySelectorAll("#refs .ref").length === 14);
  assert.equal((await page.locator("#refs-count").textContent()).trim(), "14 / 14 references");
  const notice = await page.locator("#refs-notice").textContent();
  assert.match(notice, /“photo-15\.jpg” was not added: Nano Banana 2\.1 takes at most 14 references\./);
  assert.deepEqual((await calls(page, "import_reference_paths"))[0].args.paths, paths);
  await page.fill("#prompt", "Make a collage of these photos");
  await shot(page, "references-limit");
  await context.close();
});

test("a dropped video is a tile with its length, not counted as an image, and refused by name where the model takes no video", async () => {
  const { page, context } = await openStudio(browser, server, importHandlers);
  const paths = ["/home/ann/Videos/trailer.mp4", "/home/ann/Photos/poster-idea.jpg"];
  await page.evaluate((paths) => window.__emitMock("tauri://drag-drop", { paths, position: { x: 100, y: 300 } }), paths);
  await page.waitForFunction(() => document.querySelectorAll("#refs .ref").length === 2);
  assert.equal(await page.locator('#refs .ref[data-kind="video"] .ref-video-length').textContent(), "0:12");
  assert.equal(await page.locator('#refs .ref[data-kind="video"] .role-btn').count(), 0, "a video is neither object nor character");
  assert.equal((await page.locator("#refs-count").textContent()).trim(), "1 / 14 references · 1 video");
  // Nano Banana 2.1 takes no video: the composer names the file and the model that does.
  assert.match(await page.locator("#refs-notice").textContent(), /Nano Banana 2\.1 does not take video; videos work with Nano Banana 2 \(3\.1 Flash\): remove “trailer\.mp4” or switch model\./);
  await page.fill("#prompt", "A poster for this trailer");
  await shot(page, "references-video");
  await page.selectOption("#model", "gemini-3.1-flash-image");
  await page.waitForFunction(() => document.getElementById("refs-notice").hidden);
  await context.close();
});

test("references are objects or characters; the model's character limit is enforced and sent by position", async () => {
  const { page, context, errors } = await openStudio(browser, server, { ...engine, ...importHandlers });
  const paths = ["ann", "bob", "cat", "dog", "eve", "vase"].map((n) => `/home/ann/Photos/${n}.jpg`);
  await page.evaluate((paths) => window.__emitMock("tauri://drag-drop", { paths, position: { x: 100, y: 300 } }), paths);
  await page.waitForFunction(() => document.querySelectorAll("#refs .ref").length === 6);
  assert.equal(await page.locator("#refs .role-btn").first().textContent(), "Obj", "references start as objects");
  for (const n of ["ann", "bob", "cat", "dog"]) await page.click(`button[aria-label^="${n}.jpg is an object"]`);
  assert.equal((await page.locator("#refs-count").textContent()).trim(), "6 / 14 references · 4 of 4 characters");
  assert.equal(await page.locator('button[aria-label^="ann.jpg is a character"]').getAttribute("aria-pressed"), "true");
  // Nano Banana 2.1 keeps 4 characters consistent: the 5th is refused with the reason, nothing changes.
  await page.click('button[aria-label^="eve.jpg is an object"]');
  assert.match(await page.locator("#refs-notice").textContent(), /Nano Banana 2\.1 keeps at most 4 characters consistent/);
  assert.equal(await page.locator('button[aria-label^="eve.jpg is an object"]').count(), 1);
  await shot(page, "references-roles");
  // Unmarking frees a slot.
  await page.click('button[aria-label^="dog.jpg is a character"]');
  await page.click('button[aria-label^="eve.jpg is an object"]');
  assert.equal(await page.locator('button[aria-label^="eve.jpg is a character"]').count(), 1);
  await page.click('button[aria-label^="eve.jpg is a character"]');
  await page.click('button[aria-label^="dog.jpg is an object"]');
  // Roles follow their images when reordered, and go out as positions.
  await page.click('button[aria-label="Move vase.jpg earlier"]');
  await page.fill("#prompt", "The four of them at a picnic, the vase on the blanket");
  await page.click("#generate");
  await page.waitForSelector("#result-image");
  const req = (await calls(page, "generate"))[0].args.request;
  assert.deepEqual(req.reference_hashes, ["hannjpg", "hbobjpg", "hcatjpg", "hdogjpg", "hvasejpg", "hevejpg"]);
  assert.deepEqual(req.params.character_references, [0, 1, 2, 3]);
  // After a success the photos move into the chat, and their marks go with them.
  await page.waitForFunction(() => document.querySelectorAll("#refs .ref").length === 0);
  assert.equal(await page.evaluate(() => localStorage.getItem("banana.characters")), "[]");
  assert.deepEqual(errors, []);
  await context.close();
});

test("a corrupt file is refused by name and the others are kept (picker), then reorder and remove", async () => {
  const { page, context } = await openStudio(browser, server, importHandlers);
  const png = pictureFor("x", 32, 32);
  await page.setInputFiles("#refs-input", [
    { name: "cat.png", mimeType: "image/png", buffer: png },
    { name: "corrupt.png", mimeType: "image/png", buffer: Buffer.from("not an image") },
    { name: "dog.png", mimeType: "image/png", buffer: png },
  ]);
  await page.waitForFunction(() => document.querySelectorAll("#refs .ref").length === 2);
  assert.match(await page.locator("#refs-notice").textContent(), /“corrupt\.png” was refused: corrupt\.png is not a PNG/);
  assert.match(await page.locator("#refs-notice").textContent(), /2 added; the others are kept/);
  const bytesCalls = await calls(page, "import_reference_bytes");
  assert.equal(bytesCalls.length, 3);
  assert.ok(bytesCalls.every((c) => c.args.bytes > 0), "image bytes travel as a raw body");
  const order = () => page.locator("#refs .ref").evaluateAll((els) => els.map((e) => e.getAttribute("aria-label")));
  assert.deepEqual(await order(), ["Reference 1: cat.png", "Reference 2: dog.png"]);
  await page.click('button[aria-label="Move dog.png earlier"]');
  assert.deepEqual(await order(), ["Reference 1: dog.png", "Reference 2: cat.png"]);
  // Drag to reorder too.
  await page.locator("#refs .ref").nth(1).dragTo(page.locator("#refs .ref").nth(0));
  assert.deepEqual(await order(), ["Reference 1: cat.png", "Reference 2: dog.png"]);
  await page.locator("#refs .ref").nth(1).dragTo(page.locator("#refs .ref").nth(0));
  assert.deepEqual(await order(), ["Reference 1: dog.png", "Reference 2: cat.png"]);
  await page.click('button[aria-label="Remove dog.png"]');
  assert.deepEqual(await order(), ["Reference 1: cat.png"]);
  // The thumbnail comes from the ref scheme.
  assert.match(await page.locator("#refs img").getAttribute("src"), /\/studio\/ref\/bcatpng$/);
  await context.close();
});

test("a pasted image becomes a reference", async () => {
  const { page, context } = await openStudio(browser, server, importHandlers);
  await page.evaluate(() => {
    const dt = new DataTransfer();
    dt.items.add(new File([new Uint8Array([137, 80, 78, 71])], "image.png", { type: "image/png" }));
    document.getElementById("prompt").dispatchEvent(new ClipboardEvent("paste", { clipboardData: dt, bubbles: true, cancelable: true }));
  });
  await page.waitForFunction(() => document.querySelectorAll("#refs .ref").length === 1);
  const c = await calls(page, "import_reference_bytes");
  assert.equal(c[0].options.headers["x-file-name"], "pasted image.png");
  await context.close();
});

test("an image dragged from another app (HTML5 drop with files) is imported by bytes", async () => {
  const { page, context } = await openStudio(browser, server, importHandlers);
  await page.evaluate(() => {
    const dt = new DataTransfer();
    dt.items.add(new File([new Uint8Array([1, 2, 3])], "from-browser.webp", { type: "image/webp" }));
    document.getElementById("refs-drop").dispatchEvent(new DragEvent("drop", { dataTransfer: dt, bubbles: true, cancelable: true }));
  });
  await page.waitForFunction(() => document.querySelectorAll("#refs .ref").length === 1);
  assert.match(await page.locator("#refs .ref").getAttribute("aria-label"), /from-browser\.webp/);
  await context.close();
});

test("the prompt draft, references and parameters survive a restart", async () => {
  const { page, context } = await openStudio(browser, server, importHandlers);
  await page.fill("#prompt", "A banana astronaut, watercolour");
  await page.evaluate(() => window.__emitMock("tauri://drag-drop", { paths: ["/tmp/a.png"], position: { x: 1, y: 1 } }));
  await page.waitForSelector("#refs .ref");
  await page.selectOption("#size", "2K");
  await page.reload();
  await page.waitForSelector("#output-info");
  assert.equal(await page.locator("#prompt").inputValue(), "A banana astronaut, watercolour");
  assert.equal(await page.locator("#refs .ref").count(), 1);
  assert.equal(await page.locator("#size").inputValue(), "2K");
  assert.equal(await page.locator("#generate").isEnabled(), true);
  await context.close();
});

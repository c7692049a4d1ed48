// Generation: streamed thoughts and interim images with a show/hide toggle, cancel by button and Esc, retry
// status, errors in plain words with the prompt and references kept, results with their cost, the chat
// thread (continue, branch by editing a prompt), and the result view's actions.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { serve, launch, calls } from "./harness.mjs";
import { images, openStudio, shot } from "./fixtures.mjs";
import { engine } from "./engine.mjs";

let server, browser;
before(async () => { server = await serve(images); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

async function setup(scenario, extra = {}) {
  const r = await openStudio(browser, server, { ...engine, ...extra });
  await r.page.evaluate((s) => { window.__SCENARIO__ = s; }, scenario);
  await r.page.fill("#prompt", "A banana astronaut, watercolour");
  await r.page.evaluate(() => window.__emitMock("tauri://drag-drop", { paths: ["/home/ann/cat.png", "/home/ann/moon.png"], position: { x: 1, y: 1 } }));
  await r.page.waitForFunction(() => document.querySelectorAll("#refs .ref").length === 2);
  return r;
}

async function intact(page) {
  assert.equal(await page.locator("#prompt").inputValue(), "A banana astronaut, watercolour", "prompt kept");
  assert.equal(await page.locator("#refs .ref").count(), 2, "references kept");
  assert.ok(await page.locator("#generate").isEnabled(), "can try again");
}

test("thoughts stream with interim images, can be hidden, and Esc cancels", async () => {
  const { page, context, errors } = await setup("slow");
  await page.keyboard.press("Control+Enter");
  await page.waitForSelector("#thought-images img");
  await page.waitForFunction(() => document.getElementById("thought-text").textContent.includes("floating above the Earth"));
  assert.equal(await page.locator("#thought-text strong").textContent(), "Planning the scene", "thought markdown rendered as text nodes");
  assert.match(await page.locator("#thought-images img").getAttribute("src"), /\/studio\/thought\/thought-1$/);
  assert.ok(await page.locator("#cancel").isVisible());
  assert.ok(await page.locator("#generate").isDisabled());
  await shot(page, "generation-thoughts");
  await page.uncheck("#thoughts-toggle");
  assert.equal(await page.locator("#thoughts").isVisible(), false);
  await page.check("#thoughts-toggle");
  assert.ok(await page.locator("#thoughts").isVisible());
  await page.keyboard.press("Escape");
  await page.waitForFunction(() => document.getElementById("run-status").textContent.startsWith("Cancelled"));
  const c = await calls(page, "cancel_generation");
  const g = await calls(page, "generate");
  assert.equal(g[0].args.jobId, undefined, "the UI names no job: the backend does");
  assert.equal(c[0].args.jobId, await page.evaluate(() => window.__jobId), "cancels the job the backend named");
  assert.match(await page.locator("#run-status").textContent(), /Cancelled before anything was saved/);
  assert.equal(await page.locator("#error").isVisible(), false, "a cancel is not an error");
  await intact(page);
  assert.deepEqual(errors, []);
  await context.close();
});

test("the cancel button stops a run too", async () => {
  const { page, context } = await setup("slow");
  await page.click("#generate");
  await page.waitForSelector("#thought-images img");
  await page.click("#cancel");
  await page.waitForFunction(() => document.getElementById("run-status").textContent.startsWith("Cancelled"));
  await intact(page);
  await context.close();
});

test("a cancel pressed before the backend named the job is sent once it does", async () => {
  const { page, context } = await setup("slow");
  await page.evaluate(() => { window.__ACCEPT_DELAY__ = 400; });
  await page.click("#generate");
  await page.click("#cancel");
  assert.equal((await calls(page, "cancel_generation")).length, 0, "no id to cancel yet");
  await page.waitForFunction(() => document.getElementById("run-status").textContent.startsWith("Cancelled"));
  const c = await calls(page, "cancel_generation");
  assert.equal(c.length, 1);
  assert.equal(c[0].args.jobId, await page.evaluate(() => window.__jobId));
  await intact(page);
  await context.close();
});

test("a cancel after the save began says what was saved", async () => {
  const { page, context } = await setup("slow_save");
  await page.click("#generate");
  await page.waitForFunction(() => document.getElementById("run-status").textContent.startsWith("Saving"));
  await page.click("#cancel");
  await page.waitForFunction(() => document.getElementById("run-status").textContent.startsWith("Cancel came too late"));
  assert.match(await page.locator("#run-status").textContent(), /saving had already begun, and 1 image saved/);
  assert.ok(await page.locator("#result").isVisible(), "the saved image is shown");
  assert.equal(await page.locator("#error").isVisible(), false);
  await context.close();
});

test("a quota retry is shown, then the quota error in plain words with the API's reason", async () => {
  const { page, context } = await setup("quota");
  await page.evaluate(() => { window.__QUOTA_WAIT__ = 1500; });
  await page.click("#generate");
  await page.waitForFunction(() => document.getElementById("run-status").textContent.includes("quota: retrying in 2 s"));
  assert.match(await page.locator("#retry-line").textContent(), /quota: retrying in 2 s \(attempt 1\)/);
  await page.waitForSelector("#error:not([hidden])");
  assert.equal(await page.locator("#error strong").textContent(), "Rate limit reached");
  assert.match(await page.locator("#error .error-reason").textContent(), /RESOURCE_EXHAUSTED: Quota exceeded.*Retry in 26s/);
  await intact(page);
  await shot(page, "error-quota");
  await context.close();
});

for (const [scenario, title, reason] of [
  ["blocked", "Blocked by the safety filters", /blockReason SAFETY/],
  ["network", "No connection to the Gemini API", /connection refused/],
]) {
  test(`a ${scenario} error is shown next to the composer; prompt and references stay`, async () => {
    const { page, context } = await setup(scenario);
    await page.click("#generate");
    await page.waitForSelector("#error:not([hidden])");
    assert.equal(await page.locator("#error strong").textContent(), title);
    assert.match(await page.locator("#error .error-reason").textContent(), reason);
    assert.equal(await page.locator("#error").getAttribute("role"), "alert");
    await intact(page);
    if (scenario === "blocked") await shot(page, "error-blocked");
    await context.close();
  });
}

test("a refused key points to Settings", async () => {
  const { page, context } = await setup("invalid_key");
  await page.click("#generate");
  await page.waitForSelector("#error:not([hidden])");
  assert.equal(await page.locator("#error strong").textContent(), "The API key was refused");
  await intact(page);
  await page.click("#error-settings");
  await page.waitForSelector("#settings:not([hidden]) #api-key");
  await context.close();
});

test("a result shows its cost and the chat; continue, branch from an earlier turn, edit a prompt", async () => {
  const { page, context, errors } = await setup("ok");
  await page.click("#generate");
  await page.waitForSelector("#result-image");
  await page.waitForFunction(() => document.getElementById("result-cost")?.textContent.includes("1,372 billed tokens"));
  assert.match(await page.locator("#result-cost").textContent(), /1,120 image tokens/);
  assert.match(await page.locator("#model-text").textContent(), /Here is your banana astronaut\./);
  assert.match(await page.locator("#result-image").getAttribute("src"), /\/studio\/image\/img-1$/);
  await page.waitForSelector("#thread:not([hidden]) .turn");
  assert.match(await page.locator("#chat-context").textContent(), /Continuing “A banana astronaut, watercolour” after turn 1/);
  // Turn 2 continues the chat.
  await page.fill("#prompt", "Now make it night time");
  await page.click("#generate");
  await page.waitForFunction(() => document.querySelectorAll("#turns .turn").length === 2);
  let g = await calls(page, "generate");
  assert.equal(g[1].args.request.chat_id, "chat-1");
  assert.equal(g[1].args.request.parent_turn_id, null, "continues from the latest turn");
  await shot(page, "result-thread");
  // Branch from turn 1.
  await page.locator("#turns .turn").nth(0).getByRole("button", { name: "Continue from here" }).click();
  assert.match(await page.locator("#chat-context").textContent(), /Branching from .* after turn 1/);
  await page.fill("#prompt", "Make it sunrise instead");
  await page.click("#generate");
  await page.waitForFunction(() => document.body.textContent.includes("branch 2 of 2"));
  g = await calls(page, "generate");
  assert.equal(g[2].args.request.parent_turn_id, "turn-1");
  // Edit turn 2's prompt to branch again from turn 1.
  await page.locator("#turns .turn").nth(1).getByRole("button", { name: /Edit the prompt/ }).click();
  await page.fill(".turn-edit-text", "Make it a snowy night");
  await page.click("text=Branch with this prompt");
  await page.waitForFunction(() => document.body.textContent.includes("branch 3 of 3"));
  g = await calls(page, "generate");
  assert.equal(g[3].args.request.parent_turn_id, "turn-1");
  assert.equal(g[3].args.request.prompt, "Make it a snowy night");
  // Switch back to branch 1 shows turn 2 ("night time").
  await page.click('button[aria-label="Previous branch"]');
  await page.click('button[aria-label="Previous branch"]');
  await page.waitForFunction(() => document.body.textContent.includes("branch 1 of 3"));
  assert.match(await page.locator("#turns").textContent(), /Now make it night time/);
  // After a restart the chat is still open, on the same branch, with its latest image shown.
  await page.reload();
  await page.waitForFunction(() => document.body.textContent.includes("branch 1 of 3"));
  assert.match(await page.locator("#turns").textContent(), /Now make it night time/);
  await page.waitForFunction(() => document.getElementById("result-image")?.getAttribute("src").endsWith("/img-2"));
  // Editing the first turn branches from the chat's start: same chat, no parent, sent without history.
  await page.locator("#turns .turn").nth(0).getByRole("button", { name: /Edit the prompt/ }).click();
  await page.fill(".turn-edit-text", "A banana diver, watercolour");
  await page.click("text=Branch with this prompt");
  await page.waitForFunction(() => document.body.textContent.includes("branch 2 of 2"));
  g = await calls(page, "generate");
  assert.equal(g.at(-1).args.request.chat_id, "chat-1");
  assert.equal(g.at(-1).args.request.from_start, true);
  assert.equal(g.at(-1).args.request.parent_turn_id, null);
  assert.equal(await page.locator("#turns .turn").count(), 1, "the new first turn stands alone");
  assert.match(await page.locator("#turns").textContent(), /A banana diver/);
  await page.click('button[aria-label="Previous branch"]');
  await page.waitForFunction(() => document.body.textContent.includes("branch 1 of 2"));
  assert.match(await page.locator("#turns").textContent(), /A banana astronaut/);
  // Recent chats can be reopened from the picker.
  await page.click("#new-chat");
  await page.waitForSelector("#thread", { state: "hidden" });
  await page.focus("#chat-picker");
  await page.waitForFunction(() => document.querySelectorAll("#chat-picker option").length === 2);
  await page.selectOption("#chat-picker", "chat-1");
  await page.waitForSelector("#thread:not([hidden]) .turn");
  assert.deepEqual(errors, []);
  await context.close();
});

test("the result view zooms, compares with a reference, saves, reveals, reuses and copies", async () => {
  const { page, context } = await setup("ok", {
    save_image_as: (a) => {
      if (window.__NO_DIALOG__) throw { kind: "dialog", message: "Save as is not available on this system yet" };
      return `/home/ann/Pictures/a-banana-astronaut-watercolour.png`;
    },
  });
  await page.selectOption("#size", "2K");
  await page.click("#generate");
  await page.waitForSelector("#result-image");
  await page.waitForSelector("#compare-ref");
  await page.click("#zoom-in");
  assert.match(await page.locator("#zoom-layer").getAttribute("style"), /scale\(1\.25\)/);
  await page.click("#zoom-fit");
  assert.match(await page.locator("#zoom-layer").getAttribute("style"), /scale\(1\)/);
  await page.selectOption("#compare-ref", { index: 1 });
  await page.waitForSelector(".compare-before");
  assert.match(await page.locator(".compare-before").getAttribute("src"), /\/studio\/ref\/hcatpng$/);
  await page.locator("#compare-slider").fill("30");
  assert.match(await page.locator(".compare-before").getAttribute("style"), /inset\(0px 70% 0px 0px\)|inset\(0 70% 0 0\)/);
  await shot(page, "result-compare");
  // Save as: the desktop's dialog (in the backend); the path written is said.
  await page.click("#save-image");
  await page.waitForFunction(() => document.getElementById("toast").textContent === "Saved /home/ann/Pictures/a-banana-astronaut-watercolour.png");
  assert.deepEqual((await calls(page, "save_image_as"))[0].args, { id: "img-1" });
  // Where no dialog can open, a folder form instead: "~" expands from the data folder's home.
  await page.evaluate(() => { window.__NO_DIALOG__ = true; });
  await page.click("#save-image");
  await page.waitForSelector("#result-export-folder");
  assert.equal(await page.locator("#result-export-folder").inputValue(), "/home/ann/Pictures/Banana Studio");
  await page.fill("#result-export-folder", "~/Pictures/Bananas");
  await page.click("#result-export-save");
  await page.waitForFunction(() => document.getElementById("toast").textContent.startsWith("Saved 1 image"));
  assert.deepEqual((await calls(page, "gallery_export"))[0].args, { ids: ["img-1"], folder: "/home/ann/Pictures/Bananas" });
  await page.click("#reveal-image");
  assert.deepEqual((await calls(page, "reveal_image"))[0].args, { id: "img-1" });
  // Copy: the clipboard is not granted in headless Chromium, which is said plainly.
  await page.click("#copy-image");
  await page.waitForFunction(() => /copied|Could not copy|not supported/.test(document.getElementById("toast").textContent));
  // Reuse parameters puts the stored size back after a change.
  await page.selectOption("#size", "1K");
  await page.click("#reuse-params");
  assert.equal(await page.locator("#size").inputValue(), "2K");
  // Use as reference: the composer was cleared by the success (its photos live in the thread), so the result
  // becomes the one reference for the next turn.
  assert.equal(await page.locator("#refs .ref").count(), 0);
  await page.click("#use-as-ref");
  await page.waitForFunction(() => document.querySelectorAll("#refs .ref").length === 1);
  await context.close();
});

test("variations: parallel results to flip through, a failed one said plainly", async () => {
  const { page, context } = await setup("ok");
  await page.selectOption("#count", "3");
  await page.waitForFunction(() => document.getElementById("estimate").textContent.includes("3 × 1,120 = 3,360"));
  await page.click("#generate");
  await page.waitForSelector(".variations .variation");
  assert.equal(await page.locator(".variations .variation").count(), 2);
  assert.match(await page.locator("#result-caption .failures").textContent(), /Variation 3 failed \(blocked\): finishReason IMAGE_SAFETY/);
  assert.match(await page.locator("#run-status").textContent(), /2 images saved\. 1 variation failed\./);
  await page.click('.variation[aria-label="Variation 2"]');
  await page.waitForFunction(() => document.getElementById("result-image").getAttribute("src").endsWith("/img-1-v1"));
  assert.equal((await calls(page, "generate"))[0].args.request.params.count, 3);
  await context.close();
});

test("copy puts a PNG on the clipboard", async () => {
  const { page, context } = await setup("ok");
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: server.url });
  await page.click("#generate");
  await page.waitForSelector("#result-image");
  await page.click("#copy-image");
  await page.waitForFunction(() => /copied|Could not copy|not supported/.test(document.getElementById("toast").textContent));
  assert.equal(await page.locator("#toast").textContent(), "Image copied to the clipboard.");
  const types = await page.evaluate(async () => (await navigator.clipboard.read()).flatMap((i) => i.types));
  assert.deepEqual(types, ["image/png"]);
  await context.close();
});

test("a result in the dark theme", async () => {
  const r = await openStudio(browser, server, engine, { colorScheme: "dark" });
  await r.page.evaluate(() => { window.__SCENARIO__ = "ok"; });
  await r.page.fill("#prompt", "A banana astronaut, watercolour");
  await r.page.click("#generate");
  await r.page.waitForSelector("#thread:not([hidden]) .turn");
  await r.page.waitForFunction(() => [...document.querySelectorAll("img")].every((i) => !i.src || i.complete));
  await r.page.waitForFunction(() => document.getElementById("result-cost")?.textContent.includes("billed"));
  await shot(r.page, "result-dark");
  await r.context.close();
});

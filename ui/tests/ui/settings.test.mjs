// Settings and first run: the key is checked (valid / invalid / unreachable in plain words), stored, never
// shown; its source is said; the stored key can be removed; the demo banner leads here.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { serve, launch, calls } from "./harness.mjs";
import { images, openStudio, shot, liveInfo } from "./fixtures.mjs";

let server, browser;
before(async () => { server = await serve(images); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

const KEY = "AIzaSyTEST-not-a-real-key-123456";
const keyHandlers = {
  set_api_key: (a) => {
    if (a.key.includes("bad")) return { status: "invalid", message: "API key not valid. Please pass a valid API key. (400 INVALID_ARGUMENT, API_KEY_INVALID)" };
    if (a.key.includes("offline")) return { status: "unreachable", message: "Could not reach the Gemini API to check the key: connection timed out" };
    window.__KEY_SET__ = true;
    return { status: "valid", message: `Key accepted by the Gemini API. ${window.__FIX__.demo.key_storage === "keychain" ? "Saved in the system keychain." : "No system keychain took it (none is running, or it stayed locked), so it was saved in a private file (readable only by you) in the data folder."}` };
  },
  app_info: () => window.__KEY_SET__
    ? { ...window.__FIX__.demo, mode: "live", api_base_url: "https://generativelanguage.googleapis.com", has_api_key: true, key_source: window.__FIX__.demo.key_storage }
    : window.__FIX__.demo,
  clear_api_key: () => { window.__KEY_SET__ = false; return null; },
};

async function openSettings(extra = {}, info = {}) {
  const { demoInfo } = await import("./fixtures.mjs");
  // A fixed clock: the Models section says how long ago the list was read.
  const r = await openStudio(browser, server, { ...keyHandlers, ...extra }, { now: "2026-12-02T12:00:00Z", fixtures: { demo: { ...demoInfo, ...info } } });
  await r.page.click("#demo-add-key");
  await r.page.waitForSelector("#settings:not([hidden]) #api-key");
  return r;
}

test("a valid key is checked, saved, never shown, and the app leaves the demo", async () => {
  const { page, context, errors } = await openSettings();
  assert.equal(await page.evaluate(() => document.activeElement.id), "api-key", "the banner's link focuses the key field");
  assert.match(await page.locator("#key-source").textContent(), /Not set: the app runs its offline demo/);
  assert.equal(await page.locator('[data-fact="API key"]').textContent(), "Not set");
  assert.equal(await page.locator('[data-fact="Data folder"]').textContent(), "/home/ann/.local/share/studio.banana.desktop");
  assert.match(await page.locator("#key-help").textContent(), /private file in the data folder \(permissions 0600\), because no system keychain \(Secret Service\) is running/);
  assert.equal(await page.locator('[data-fact="Key storage"]').textContent(), "Private 0600 file (no system keychain running)");
  await shot(page, "settings-demo");
  await page.fill("#api-key", KEY);
  assert.equal(await page.locator("#api-key").getAttribute("type"), "password");
  await page.click("#save-key");
  await page.waitForFunction(() => document.getElementById("key-result").textContent.startsWith("Valid:"));
  assert.equal((await calls(page, "set_api_key"))[0].args.key, KEY);
  await page.waitForFunction(() => document.getElementById("mode-badge").textContent === "Gemini API");
  assert.equal(await page.locator("#demo-banner").isVisible(), false);
  assert.match(await page.locator("#key-source").textContent(), /stored in a private file in the data folder \(readable only by you\): no system keychain was running/);
  assert.equal(await page.locator('[data-fact="API key"]').textContent(), "Set (private file)");
  assert.equal(await page.locator("#api-key").inputValue(), "", "the key is not kept in the form");
  // The new key's model list is read at once (not when the cached one is a day old).
  await page.waitForFunction(() => document.getElementById("models-result")?.textContent.startsWith("Checked"));
  assert.deepEqual((await calls(page, "refresh_catalogue")).map((c) => c.args), [{ force: false }, { force: true }]);
  assert.ok(!(await page.content()).includes(KEY), "the key appears nowhere in the page");
  await shot(page, "settings-valid");
  // Remove it again.
  await page.click("#clear-key");
  await page.waitForFunction(() => document.getElementById("mode-badge").textContent === "Offline demo");
  assert.equal((await calls(page, "clear_api_key")).length, 1);
  await page.waitForFunction(async () => window.__IPC_CALLS__.filter((c) => c.cmd === "refresh_catalogue").length === 3);
  assert.deepEqual(errors, []);
  await context.close();
});

test("with a keychain running the key is said to be kept there, and can be removed", async () => {
  const { page, context, errors } = await openSettings({}, { key_storage: "keychain" });
  assert.match(await page.locator("#key-help").textContent(), /kept in the system keychain \(Secret Service\), and never shown again/);
  assert.equal(await page.locator('[data-fact="Key storage"]').textContent(), "System keychain (Secret Service)");
  await page.fill("#api-key", KEY);
  await page.click("#save-key");
  await page.waitForFunction(() => document.getElementById("mode-badge").textContent === "Gemini API");
  assert.equal(await page.locator("#key-source").textContent(), "Set, stored in the system keychain (Secret Service).");
  assert.equal(await page.locator("#key-result").textContent(), "Valid: Key accepted by the Gemini API. Saved in the system keychain. The app now uses the Gemini API.");
  assert.equal(await page.locator('[data-fact="API key"]').textContent(), "Set (system keychain)");
  await shot(page, "settings-keychain");
  await page.click("#clear-key");
  await page.waitForFunction(() => document.getElementById("mode-badge").textContent === "Offline demo");
  assert.deepEqual(errors, []);
  await context.close();
});

test("an invalid key and an unreachable API are said in plain words and nothing is saved", async () => {
  const { page, context } = await openSettings();
  await page.fill("#api-key", "bad-key");
  await page.press("#api-key", "Enter");
  await page.waitForFunction(() => document.getElementById("key-result").textContent.startsWith("Invalid:"));
  assert.match(await page.locator("#key-result").textContent(), /API key not valid.*The key was not saved\./);
  await page.fill("#api-key", "offline-key");
  await page.click("#save-key");
  await page.waitForFunction(() => document.getElementById("key-result").textContent.startsWith("Unreachable:"));
  assert.match(await page.locator("#key-result").textContent(), /connection timed out.*not saved; check the connection/);
  assert.equal(await page.locator("#mode-badge").textContent(), "Offline demo");
  await shot(page, "settings-unreachable");
  await context.close();
});

test("a key from GEMINI_API_KEY wins and is said so", async () => {
  const { page, context } = await openStudio(browser, server, { app_info: { ...liveInfo, key_source: "environment" } });
  await page.click("#nav-settings");
  assert.match(await page.locator("#key-source").textContent(), /from the GEMINI_API_KEY environment variable \(it wins over a stored key\)/);
  assert.equal(await page.locator("#clear-key").count(), 0);
  assert.equal(await page.locator('[data-fact="API key"]').textContent(), "Set (from GEMINI_API_KEY)");
  assert.equal(await page.locator("#demo-banner").isVisible(), false);
  await context.close();
});

test("Settings rebuilds the gallery index from the files and says what came back", async () => {
  const report = { moved_aside: null, already_listed: 3, restored: 2, recovered: 1, skipped: [] };
  const handlers = {
    app_info: liveInfo,
    rebuild_gallery_index: () => { window.__REBUILT__ = true; return window.__FIX__.report; },
    unlisted_gallery_images: () => (window.__REBUILT__ ? 0 : 3),
  };
  const { page, context, errors } = await openStudio(browser, server, handlers, { fixtures: { report } });
  await page.click("#nav-settings");
  await page.waitForFunction(() => document.getElementById("unlisted-note").textContent !== "");
  assert.equal(await page.locator("#unlisted-note").textContent(), "3 image files in the data folder are not in the gallery: rebuild to list them again.");
  const listsBefore = (await calls(page, "gallery_list")).length;
  await page.click("#rebuild-gallery-index");
  await page.waitForFunction(() => document.getElementById("rebuild-result").textContent.startsWith("Done:"));
  assert.equal(await page.locator("#rebuild-result").textContent(),
    "Done: 2 images listed again with their prompt and settings, 1 image recovered without it, 3 images were already listed. Chats are not rebuilt from images.");
  assert.equal((await calls(page, "rebuild_gallery_index")).length, 1);
  assert.ok((await calls(page, "gallery_list")).length > listsBefore, "the gallery is read again");
  await page.waitForFunction(() => document.getElementById("unlisted-note").textContent.startsWith("Every"));
  assert.deepEqual(errors, []);
  await context.close();
});

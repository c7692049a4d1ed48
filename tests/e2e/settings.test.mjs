// The API key in the real window, with a real OS keychain (GNOME Keyring on a private session bus) and a
// fake Gemini server that accepts one key only: a wrong key is refused in plain words, the right one goes to
// the keychain (never to a file in the data folder), survives a restart, drives a real generation, and can
// be removed again.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startDriver, Session } from "./webdriver.mjs";
import { startKeychain } from "./keychain.mjs";
import { generate, invoke } from "./ipc.mjs";

// Live mode against the local fake: the badge names a custom endpoint rather than Google.

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const bin = path.join(process.env.CARGO_TARGET_DIR ?? path.join(root, "target"), "debug");
const app = path.join(bin, "banana-studio");
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "banana-e2e-key-"));
const KEY = "AIzaSyE2E-keychain-test-0123456789";
let driver, s, keychain, fake;

const badge = () => s.exec(`return document.getElementById("mode-badge").textContent`);
const fact = (name) => s.exec(`return document.querySelector('[data-fact="${name}"]')?.textContent`);
async function saveKey(key) {
  await s.exec(`document.getElementById("api-key").value = ""; document.getElementById("key-result").textContent = "";`);
  await s.type("#api-key", key);
  await s.click("#save-key");
  return s.waitFor(`const t = document.getElementById("key-result").textContent; return /^(Valid|Invalid|Unreachable|Not saved)/.test(t) && t`, { what: "the key check's answer" });
}

before(async () => {
  keychain = await startKeychain();
  fake = spawn(path.join(bin, "gemini-fake"), ["--port", "0", "--key", KEY], { stdio: ["ignore", "pipe", "ignore"] });
  const base = await new Promise((resolve, reject) => {
    let out = "";
    fake.stdout.on("data", (d) => { out += d; const m = out.match(/listening on (http:\/\/\S+)/); if (m) resolve(m[1]); });
    fake.on("exit", (c) => reject(new Error(`gemini-fake exited (${c})`)));
  });
  driver = await startDriver({ env: { BANANA_STUDIO_DATA_DIR: dataDir, GEMINI_API_KEY: "", GEMINI_BASE_URL: base, NO_AT_BRIDGE: "1", DBUS_SESSION_BUS_ADDRESS: keychain.address } });
  s = await Session.create(driver.base, app);
  await s.waitFor(`return document.getElementById("mode-badge").textContent === "Offline demo"`);
});
after(async () => { await s?.close(); driver?.stop(); fake?.kill(); keychain?.stop(); });

test("Settings says a running keychain will hold the key", async () => {
  await s.click("#nav-settings");
  await s.waitFor(`return !!document.querySelector('[data-fact="Key storage"]')`);
  assert.equal(await fact("Key storage"), "System keychain (Secret Service)");
  assert.match(await s.exec(`return document.getElementById("key-help").textContent`), /kept in the system keychain/);
});

test("a wrong key is refused with the API's reason and nothing is stored", async () => {
  const answer = await saveKey("AIzaSy-wrong-key");
  assert.match(answer, /^Invalid: API key rejected by Gemini: .*The key was not saved\./);
  assert.equal(await badge(), "Offline demo");
  assert.equal(fs.existsSync(path.join(dataDir, "api-key")), false);
});

test("the right key is saved in the keychain, not in the data folder, and the app goes live", async () => {
  const answer = await saveKey(KEY);
  assert.match(answer, /^Valid: Key accepted by the Gemini API\. Saved in the system keychain\./);
  const info = await invoke(s, "app_info");
  assert.equal(info.ok.key_source, "keychain");
  assert.equal(info.ok.mode, "live");
  await s.waitFor(`return document.getElementById("mode-badge").textContent === "Custom API endpoint"`);
  assert.equal(await s.exec(`return document.getElementById("key-source").textContent`), "Set, stored in the system keychain (Secret Service).");
  assert.equal(fs.existsSync(path.join(dataDir, "api-key")), false, "no key file when the keychain holds it");
  assert.equal(await s.exec(`return document.documentElement.outerHTML.includes(arguments[0])`, [KEY]), false, "the key never reaches the page");
  fs.mkdirSync(path.join(root, "docs/screenshots"), { recursive: true });
  await s.execAsync(`const done = arguments[0]; requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(() => done(true), 600)));`);
  // The X server's own picture of the window: WebKitWebDriver's screenshot never returns for this page
  // when the app runs on the private session bus with compositing off (seen here, not understood).
  execFileSync("import", ["-window", "root", "-crop", "1280x800+0+0", path.join(root, "docs/screenshots/e2e-settings-keychain.png")]);
});

test("after a restart the key comes from the keychain and a generation uses it", async () => {
  await s.close();
  s = await Session.create(driver.base, app);
  await s.waitFor(`return document.getElementById("mode-badge").textContent === "Custom API endpoint"`, { what: "live mode after restart" });
  const g = await generate(s, { prompt: "a banana on a desk", reference_hashes: [], params: { model: "gemini-nano-banana-2.1", aspect_ratio: "1:1", image_size: "1K", include_thoughts: false, count: 1 } });
  assert.ok(g.ok, `generation against the keyed fake failed: ${JSON.stringify(g.err)}`);
  assert.equal(g.ok.images.length, 1);
});

test("removing the key empties the keychain entry and returns to the demo, also after a restart", async () => {
  await s.click("#nav-settings");
  await s.waitFor(`return !!document.getElementById("clear-key")`);
  await s.click("#clear-key");
  await s.waitFor(`return document.getElementById("mode-badge").textContent === "Offline demo"`);
  await s.close();
  s = await Session.create(driver.base, app);
  await s.waitFor(`return document.getElementById("mode-badge").textContent === "Offline demo"`, { what: "demo mode after restart" });
});

// A person's session in the real window, driven through the UI: pick reference photos, generate with
// thoughts, continue the chat twice, cancel a slow generation, ride out a quota retry, hit a safety block
// (prompt and references stay), search the gallery, restart, and find everything again.
// Demo mode: the app's built-in fake Gemini server answers; faults come from prompt markers.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { execFileSync } from "node:child_process";
import { startDriver, Session } from "./webdriver.mjs";
import { writeFixtures } from "./images.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const app = path.join(process.env.CARGO_TARGET_DIR ?? path.join(root, "target"), "debug/banana-studio");
const shots = path.join(root, "docs/screenshots");
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "banana-e2e-ui-"));
const files = writeFixtures(dataDir + "-photos");
let driver, s;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function setPrompt(text) {
  await s.exec(`const p = document.getElementById("prompt"); p.value = ""; p.dispatchEvent(new Event("input", { bubbles: true }));`);
  await s.type("#prompt", text);
}
const promptValue = () => s.exec(`return document.getElementById("prompt").value`);
const refCount = () => s.exec(`return document.querySelectorAll("#refs img").length`);
const resultSize = () => s.exec(`const i = document.getElementById("result-image"); return i && i.complete && i.naturalWidth ? [i.naturalWidth, i.naturalHeight, i.getAttribute("src")] : null`);
async function waitIdle(timeout = 60000) {
  // Idle: no cancel button and the generate button no longer says "Generating…" (it may stay disabled when
  // the composer cleared the prompt after a success).
  await s.waitFor(`return document.getElementById("cancel").hidden === true && !/Generating/.test(document.getElementById("generate").textContent)`, { timeout, what: "generation to finish" });
}

/** Screenshot once the visible images are decoded and painted (WebKit paints large images a moment after
 * `complete`). */
async function shot(name) {
  await s.execAsync(`const done = arguments[0]; Promise.all([...document.images].filter((i) => i.complete && i.naturalWidth).map((i) => i.decode().catch(() => {})))
    .then(() => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(() => done(true), 600))));`);
  await s.screenshot(path.join(shots, name));
}

before(async () => {
  fs.mkdirSync(shots, { recursive: true });
  driver = await startDriver({ env: { BANANA_STUDIO_DATA_DIR: dataDir, GEMINI_API_KEY: "" } });
  s = await Session.create(driver.base, app);
  await s.waitFor(`return document.getElementById("mode-badge").textContent === "Offline demo"`);
});
after(async () => { await s?.close(); driver?.stop(); });

test("pick two photos and a broken file: photos kept, the broken one named", async () => {
  // The file picker's <input type=file>: WebDriver sets its files as a person picking them would.
  const input = await s.find("#refs-input");
  await s.call("POST", `/element/${input}/value`, { text: [files.photo1, files.photo2, files.corrupt].join("\n") });
  await s.waitFor(`return document.querySelectorAll("#refs img").length === 2`, { what: "two reference thumbnails" });
  const notice = await s.waitFor(`const n = document.getElementById("refs-notice"); return n && n.textContent.includes("broken.png") && n.textContent`, { what: "refusal naming broken.png" });
  assert.match(notice, /broken\.png/);
  const loaded = await s.waitFor(`const i = [...document.querySelectorAll("#refs img")]; return i.length === 2 && i.every((x) => x.complete && x.naturalWidth > 0)`);
  assert.equal(loaded, true);
});

test("generate: thoughts stream, the result loads through studio://", async () => {
  await setPrompt("Put a tiny banana hat on this scene");
  await s.click("#generate");
  await s.waitFor(`return document.getElementById("cancel").hidden === false || !!document.getElementById("result-image")`, { what: "generation to start" });
  await waitIdle();
  const size = await s.waitFor(`const i = document.getElementById("result-image"); return i && i.complete && i.naturalWidth ? [i.naturalWidth, i.getAttribute("src")] : null`, { what: "result image" });
  assert.match(size[1], /^studio:\/\/image\//);
  assert.ok(size[0] > 0);
  assert.equal(await s.exec(`return !!document.querySelector(".thoughts-done")`), true, "the model's thoughts are kept with the result");
  await shot("e2e-result.png");
});

test("Copy puts the result on the system clipboard as a PNG of its size", async () => {
  const width = await s.exec(`return document.getElementById("result-image").naturalWidth`);
  await s.click("#copy-image");
  await s.waitFor(`return [...document.querySelectorAll(".toast")].some((t) => /copied to the clipboard/.test(t.textContent))`, { what: "the copy toast" });
  // Read the X clipboard as another program would (xclip, on the same Xvfb display).
  const png = execFileSync("xclip", ["-selection", "clipboard", "-t", "image/png", "-o"], { timeout: 10000 });
  assert.equal(png.subarray(1, 4).toString(), "PNG");
  assert.equal(png.readUInt32BE(16), width, "the PNG on the clipboard has the image's width");
});

test("Save as opens the desktop's save dialog and writes the image where the person says", async () => {
  const dest = path.join(dataDir + "-saved", "hat on the scene");
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  await s.click("#save-image");
  // Answer GTK's file chooser as a person would: focus it, replace the suggested name with a path, Enter.
  const xdo = (...args) => execFileSync("xdotool", args, { timeout: 15000 }).toString().trim();
  const win = xdo("search", "--sync", "--name", "Save image as").split("\n")[0];
  await sleep(800);
  // The X server's picture: the dialog is a GTK window of its own, outside the webview.
  execFileSync("import", ["-window", "root", path.join(shots, "e2e-save-as.png")]);
  xdo("windowfocus", "--sync", win);
  xdo("key", "--window", win, "ctrl+a");
  xdo("type", "--window", win, "--delay", "20", dest);
  xdo("key", "--window", win, "Return");
  const toast = await s.waitFor(`return [...document.querySelectorAll(".toast")].map((t) => t.textContent).find((t) => t.startsWith("Saved ")) ?? null`, { what: "the saved toast" });
  assert.equal(toast, `Saved ${dest}.png`, "the extension is added to a name typed without one");
  const id = await s.exec(`return document.getElementById("result-image").getAttribute("src").split("/").pop()`);
  const stored = fs.readdirSync(path.join(dataDir, "images"), { recursive: true }).map(String).find((f) => f.includes(id) && !f.endsWith(".json")); // not its provenance sidecar
  assert.ok(stored, `stored file for ${id}`);
  assert.ok(fs.readFileSync(`${dest}.png`).equals(fs.readFileSync(path.join(dataDir, "images", stored))), "a byte-for-byte copy");
});

test("continue the chat twice", async () => {
  for (const prompt of ["Now make it night time", "Add a few fireworks"]) {
    await setPrompt(prompt);
    await s.click("#generate");
    await waitIdle();
  }
  const turns = await s.waitFor(`const n = document.querySelectorAll("#turns > li").length; return n >= 3 && n`, { what: "three turns" });
  assert.equal(turns, 3);
  await s.waitFor(`const i = document.getElementById("result-image"); return i && i.complete && i.naturalWidth > 0`, { what: "last result decoded" });
  await shot("e2e-chat.png");
});

test("a slow generation is cancelled; the prompt stays", async () => {
  await setPrompt("Take your time [fake:slow=30s]");
  await s.click("#generate");
  await s.waitFor(`return document.getElementById("cancel").hidden === false`, { what: "cancel button" });
  await s.click("#cancel");
  await waitIdle(10000);
  assert.match(await s.text("#run-status"), /cancel/i);
  assert.equal(await promptValue(), "Take your time [fake:slow=30s]");
});

test("a per-minute quota is retried with a visible status, then succeeds", async () => {
  await setPrompt("A quota test [fake:429]");
  await s.click("#generate");
  const retry = await s.waitFor(`const r = document.getElementById("retry-line"); return r && /quota/i.test(r.textContent) && r.textContent`, { what: "quota retry status" });
  assert.match(retry, /retry/i);
  await waitIdle();
  assert.equal(await s.exec(`return document.getElementById("error").hidden`), true);
});

test("after a success the references move into the thread; the composer is ready for the next turn", async () => {
  assert.equal(await refCount(), 0);
  assert.equal(await s.exec(`return document.querySelectorAll("#turns .turn-refs img").length >= 2`), true);
});

test("a safety block is explained; prompt and references are still there", async () => {
  await s.click("#new-chat");
  const input = await s.find("#refs-input");
  await s.call("POST", `/element/${input}/value`, { text: files.photo3 });
  await s.waitFor(`return document.querySelectorAll("#refs img").length === 1`, { what: "one reference" });
  const refsBefore = await refCount();
  await setPrompt("Something forbidden [fake:block]");
  await s.click("#generate");
  await waitIdle();
  const msg = await s.waitFor(`const e = document.getElementById("error"); return !e.hidden && e.textContent`, { what: "error box" });
  assert.match(msg, /PROHIBITED_CONTENT|prohibited|blocked/i);
  assert.equal(await promptValue(), "Something forbidden [fake:block]");
  assert.equal(await refCount(), refsBefore);
  await shot("e2e-blocked.png");
});

test("the gallery shows every image and finds one by a prompt word", async () => {
  await s.click("#nav-gallery");
  const all = await s.waitFor(`const t = document.getElementById("gallery-count")?.textContent ?? ""; return /\\d/.test(t) && t`, { what: "gallery count" });
  assert.match(all, /^4 images/, "1 + 2 chat turns + the quota retry; nothing from the cancelled or blocked runs");
  await s.type("#gallery-search", "fireworks");
  const found = await s.waitFor(`const t = document.getElementById("gallery-count").textContent; return /^1 image/.test(t) && t`, { what: "search result" });
  assert.match(found, /^1 image/);
  const tile = await s.waitFor(`const i = document.querySelector("#gallery .tile img"); return i && i.complete && i.naturalWidth > 0`, { what: "thumbnail" });
  assert.equal(tile, true);
  await shot("e2e-gallery.png");
});

test("after a restart the gallery and the chat are still there", async () => {
  await s.close();
  s = await Session.create(driver.base, app);
  await s.waitFor(`return document.getElementById("mode-badge").textContent === "Offline demo"`);
  await s.click("#nav-gallery");
  const all = await s.waitFor(`const t = document.getElementById("gallery-count")?.textContent ?? ""; return /\\d/.test(t) && t`, { what: "gallery count" });
  assert.match(all, /^4 images/, "1 + 2 chat turns + the quota retry; nothing from the cancelled or blocked runs");
});

// The live model catalogue in the real window (issue 13), against a keyed fake Gemini serving today's line-up
// plus a model Google "just shipped" (no code change: a catalogue file): a fresh key generates with the
// default on the first try; the picker offers the new model and shows the restricted one as unavailable; an
// old draft and a request naming retired ids move to their successors with a notice; a model Google retires
// while the app runs answers with its successor.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startDriver, Session } from "./webdriver.mjs";
import { generate, invoke } from "./ipc.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const bin = path.join(process.env.CARGO_TARGET_DIR ?? path.join(root, "target"), "debug");
const app = path.join(bin, "banana-studio");
const shots = path.join(root, "docs/screenshots");
const work = fs.mkdtempSync(path.join(os.tmpdir(), "banana-e2e-models-"));
const dataDir = path.join(work, "data");
const KEY = "AIzaSyE2E-models-0123456789";
let driver, s, fake, port;

/** Today's catalogue as the fake bundles it, plus "gemini-nano-banana-2.2", as if Google shipped it today. */
function catalogueFile() {
  const c = JSON.parse(execFileSync(path.join(bin, "gemini-fake"), ["--print-catalogue"], { encoding: "utf8" }));
  const base = c.models.find((m) => m.id === "gemini-nano-banana-2.1");
  c.models.push({ ...base, id: "gemini-nano-banana-2.2", displayName: "Nano Banana 2.2", description: "Shipped after this build" });
  const file = path.join(work, "catalogue.json");
  fs.writeFileSync(file, JSON.stringify(c));
  return file;
}

async function startFake(extra = []) {
  fake = spawn(path.join(bin, "gemini-fake"), ["--port", String(port ?? 0), "--key", KEY, "--catalogue", catalogueFile(), ...extra], { stdio: ["ignore", "pipe", "inherit"] });
  const base = await new Promise((resolve, reject) => {
    let out = "";
    fake.stdout.on("data", (d) => { out += d; const m = out.match(/listening on (http:\/\/\S+)/); if (m) resolve(m[1]); });
    fake.on("exit", (c) => reject(new Error(`gemini-fake exited (${c})`)));
  });
  port = Number(new URL(base).port);
  return base;
}
async function stopFake() {
  if (!fake) return;
  const gone = new Promise((r) => fake.once("exit", r));
  fake.kill();
  await gone;
  fake = null;
}

const options = () => s.exec(`return [...document.querySelectorAll("#model option")].map((o) => ({ value: o.value, text: o.textContent, disabled: o.disabled }))`);

before(async () => {
  const base = await startFake();
  driver = await startDriver({ env: { BANANA_STUDIO_DATA_DIR: dataDir, GEMINI_API_KEY: KEY, GEMINI_BASE_URL: base, NO_AT_BRIDGE: "1" } });
  s = await Session.create(driver.base, app);
  await s.waitFor(`return document.getElementById("mode-badge").textContent === "Custom API endpoint"`, { what: "live mode" });
  // The picker is rebuilt once models.list has answered.
  await s.waitFor(`return [...document.querySelectorAll("#model option")].some((o) => o.value === "gemini-nano-banana-2.2")`, { what: "the live model list in the picker", timeout: 30000 });
});
after(async () => { await s?.close(); driver?.stop(); await stopFake(); });

test("a fresh key generates with today's default model on the first try", async () => {
  assert.equal(await s.exec(`return document.getElementById("model").value`), "gemini-nano-banana-2.1");
  await s.exec(`const p = document.getElementById("prompt"); p.value = ""; p.dispatchEvent(new Event("input", { bubbles: true }));`);
  await s.type("#prompt", "a nano banana on a desk");
  await s.click("#generate");
  const size = await s.waitFor(`const i = document.getElementById("result-image"); return i && i.complete && i.naturalWidth ? i.naturalWidth : null`, { what: "the result image", timeout: 60000 });
  assert.equal(size, 1024);
  const page = await invoke(s, "gallery_list", { query: { query: "nano banana on a desk" }, withTotal: false });
  assert.ok(page.ok, JSON.stringify(page.err));
  assert.equal(page.ok.items[0].model, "gemini-nano-banana-2.1");
});

test("the picker offers the model Google just shipped and shows the restricted one as unavailable", async () => {
  const opts = await options();
  const ids = opts.map((o) => o.value);
  assert.equal(ids[0], "gemini-nano-banana-2.1");
  const added = opts.find((o) => o.value === "gemini-nano-banana-2.2");
  assert.match(added.text, /new/i);
  assert.equal(added.disabled, false);
  const nb1 = opts.find((o) => o.value === "gemini-2.5-flash-image");
  assert.ok(nb1, "the restricted model is listed");
  assert.equal(nb1.disabled, true);
  assert.match(nb1.text, /unavailable/i);
  assert.ok(!ids.some((id) => id.endsWith("-preview")), "retired ids are not offered");
  const cat = await invoke(s, "catalogue");
  assert.equal(cat.ok.source, "live");
  // The new model generates through the window with limits borrowed from its family.
  const g = await generate(s, { prompt: "made by the new model", reference_hashes: [], params: { model: "gemini-nano-banana-2.2", aspect_ratio: "16:9", image_size: "1K", include_thoughts: false, count: 1 } });
  assert.ok(g.ok, JSON.stringify(g.err));
  assert.deepEqual([g.ok.images[0].width, g.ok.images[0].height], [1376, 768]);
  await s.exec(`const m = document.getElementById("model"); m.value = "gemini-nano-banana-2.2"; m.dispatchEvent(new Event("change"))`);
  await s.execAsync(`const done = arguments[0]; requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(() => done(true), 400)));`);
  await s.screenshot(path.join(shots, "e2e-models-picker.png"));
  await s.exec(`const m = document.getElementById("model"); m.value = "gemini-nano-banana-2.1"; m.dispatchEvent(new Event("change"))`);
});

test("an old draft and a request with retired ids move to their successors with a notice", async () => {
  const draft = await s.exec(`return localStorage.getItem("banana.params")`);
  const old = { ...JSON.parse(draft), model: "gemini-3-pro-image-preview" };
  await s.exec(`localStorage.setItem("banana.params", arguments[0]); location.reload();`, [JSON.stringify(old)]);
  await s.waitFor(`return document.getElementById("model")?.value === "gemini-3-pro-image"`, { what: "the draft on the successor" });
  const notice = await s.waitFor(`const b = document.getElementById("params-changes"); return b && !b.hidden && b.textContent`, { what: "the notice" });
  assert.match(notice, /retired/i);
  const g = await generate(s, { prompt: "an old recipe", reference_hashes: [], params: { model: "gemini-3.1-flash-image-preview", aspect_ratio: "1:1", image_size: "2K", include_thoughts: false, count: 1 } });
  assert.ok(g.ok, JSON.stringify(g.err));
  const notices = g.events.filter((e) => e.type === "notice").map((e) => e.message);
  assert.match(notices[0], /^Google retired gemini-3\.1-flash-image-preview on 2026-06-25; Nano Banana 2\.1/);
  const d = await invoke(s, "gallery_get", { id: g.ok.images[0].id });
  assert.equal(d.ok.model, "gemini-nano-banana-2.1", "the gallery keeps the model really used");
});

test("a model Google retires while the app runs answers with its successor", async () => {
  await stopFake();
  await startFake(["--retire", "gemini-nano-banana-2.2"]);
  const g = await generate(s, { prompt: "too late", reference_hashes: [], params: { model: "gemini-nano-banana-2.2", aspect_ratio: "1:1", image_size: "1K", include_thoughts: false, count: 1 } });
  assert.equal(g.err?.kind, "model_retired", JSON.stringify(g));
  assert.match(g.err.message, /^Google has retired gemini-nano-banana-2\.2; Nano Banana 2\.1 \(gemini-nano-banana-2\.1\) replaces it/);
  const cat = await invoke(s, "catalogue");
  assert.ok(cat.ok.retired.some((r) => r.id === "gemini-nano-banana-2.2" && r.successor === "gemini-nano-banana-2.1"));
  const again = await generate(s, { prompt: "now on the successor", reference_hashes: [], params: { model: "gemini-nano-banana-2.2", aspect_ratio: "1:1", image_size: "1K", include_thoughts: false, count: 1 } });
  assert.ok(again.ok, JSON.stringify(again.err));
});

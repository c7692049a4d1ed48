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

/** A tiny MP4 as cameras write it: ftyp, mdat, then moov/mvhd (version 0) with `seconds` of length. */
function mp4File(seconds) {
  const box = (kind, body) => { const b = Buffer.alloc(8); b.writeUInt32BE(body.length + 8); b.write(kind, 4, "latin1"); return Buffer.concat([b, body]); };
  const ftyp = Buffer.concat([Buffer.from("isom", "latin1"), Buffer.from([0, 0, 2, 0]), Buffer.from("isomiso2avc1mp41", "latin1")]);
  const mvhd = Buffer.alloc(100);
  mvhd.writeUInt32BE(1000, 12); // timescale
  mvhd.writeUInt32BE(seconds * 1000, 16); // duration
  mvhd.writeUInt32BE(0x00010000, 20);
  const file = path.join(work, "trailer.mp4");
  fs.writeFileSync(file, Buffer.concat([box("ftyp", ftyp), box("mdat", Buffer.alloc(4096, 7)), box("moov", box("mvhd", mvhd))]));
  return file;
}

test("a video dropped on the composer is a tile with its length, goes up through the Files API on 3.1 Flash, and is refused by name elsewhere", async () => {
  const clip = mp4File(12);
  // An OS drop arrives as paths, through the command the window's drag-drop handler calls.
  const r = await invoke(s, "import_reference_paths", { paths: [clip] });
  const ref = r.ok[0].reference;
  assert.equal(ref.kind, "video");
  assert.equal(ref.duration_ms, 12000);
  // The composer shows it (kept as a draft reference across the reload, as after a restart).
  await s.exec(`localStorage.setItem("banana.refs", JSON.stringify([arguments[0]])); location.reload();`, [ref]);
  const length = await s.waitFor(`return document.querySelector('#refs .ref[data-kind="video"] .ref-video-length')?.textContent`, { what: "the video tile" });
  assert.equal(length, "0:12");
  const notice = await s.waitFor(`const n = document.getElementById("refs-notice"); return !n.hidden && n.textContent`, { what: "the no-video notice on 2.1" });
  assert.match(notice, /does not take video; videos work with Nano Banana 2 \(3\.1 Flash\): remove “trailer\.mp4”/);
  const refused = await generate(s, { prompt: "a poster for this clip", reference_hashes: [ref.hash], params: { model: "gemini-nano-banana-2.1", aspect_ratio: "2:3", image_size: "1K", include_thoughts: false, count: 1 } });
  assert.equal(refused.err?.kind, "invalid_params", JSON.stringify(refused));
  assert.match(refused.err.message, /does not take video/);
  const g = await generate(s, { prompt: "a poster for this clip", reference_hashes: [ref.hash], params: { model: "gemini-3.1-flash-image", aspect_ratio: "2:3", image_size: "1K", include_thoughts: false, count: 1 } });
  assert.ok(g.ok, JSON.stringify(g.err));
  assert.deepEqual([g.ok.images[0].width, g.ok.images[0].height], [848, 1264]);
  await s.exec(`const m = document.getElementById("model"); m.value = "gemini-3.1-flash-image"; m.dispatchEvent(new Event("change"))`);
  await s.waitFor(`return document.getElementById("refs-notice").hidden`, { what: "the notice gone on a model that takes video" });
  await s.execAsync(`const done = arguments[0]; requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(() => done(true), 400)));`);
  await s.screenshot(path.join(shots, "e2e-video-reference.png"));
});

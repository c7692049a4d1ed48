// The real app's backend through the real window's IPC: references (good, corrupt, 15), generation with
// thoughts, a chat continued twice, a quota retry, a safety block, cancel, gallery search, and a restart.
// Runs in offline demo mode: the app's built-in fake Gemini server answers, faults come from prompt markers.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startDriver, Session } from "./webdriver.mjs";
import { invoke, generate } from "./ipc.mjs";
import { writeFixtures } from "./images.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const app = path.join(process.env.CARGO_TARGET_DIR ?? path.join(root, "target"), "debug/banana-studio");
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "banana-e2e-engine-"));
const files = writeFixtures(path.join(dataDir, "..", path.basename(dataDir) + "-photos"));
const env = { BANANA_STUDIO_DATA_DIR: dataDir, GEMINI_API_KEY: "" };
let driver, s;
const params = (extra = {}) => ({ model: "gemini-nano-banana-2.1", aspect_ratio: "1:1", image_size: "1K", include_thoughts: true, count: 1, ...extra });

before(async () => {
  driver = await startDriver({ env });
  s = await Session.create(driver.base, app);
  await s.waitFor(`return document.getElementById("mode-badge").textContent === "Offline demo"`);
});
after(async () => { await s?.close(); driver?.stop(); });

let refs = [];
let chatId;

test("references: good files kept, a corrupt file and a non-image refused by name", async () => {
  const r = await invoke(s, "import_reference_paths", { paths: [files.photo1, files.corrupt, files.photo2, files.text] });
  assert.ok(r.ok, JSON.stringify(r.err));
  const [a, bad, b, txt] = r.ok;
  assert.ok(a.reference && b.reference, "good files imported");
  assert.equal(a.reference.width, 161);
  assert.equal(bad.reference, null);
  assert.match(bad.error.message, /broken\.png/);
  assert.match(txt.error.message, /notes\.txt/);
  refs = [a.reference.hash, b.reference.hash];
  // The stored reference loads through the URI scheme.
  const size = await s.execAsync(`const [h, done] = arguments; const i = new Image(); i.onload = () => done([i.naturalWidth, i.naturalHeight]); i.onerror = () => done("error"); i.src = "studio://ref/" + h;`, [refs[0]]);
  assert.deepEqual(size, [161, 120]);
});

test("15 references are refused before anything is sent", async () => {
  const all = Array.from({ length: 15 }, (_, i) => files[`photo${i + 1}`]);
  const r = await invoke(s, "import_reference_paths", { paths: all });
  const hashes = r.ok.map((x) => x.reference.hash);
  assert.equal(hashes.length, 15);
  const g = await generate(s, { prompt: "a collage", reference_hashes: hashes, params: params() });
  assert.equal(g.err?.kind, "too_many_references", JSON.stringify(g));
  assert.match(g.err.message, /14/);
  // Five of fourteen marked as characters: Nano Banana 2 keeps four consistent.
  const five = await generate(s, { prompt: "a group photo", reference_hashes: hashes.slice(0, 14), params: params({ character_references: [0, 1, 2, 3, 4] }) });
  assert.equal(five.err?.kind, "too_many_references", JSON.stringify(five));
  assert.match(five.err.message, /at most 4 characters/);
});

test("generate an edit with thoughts streamed; the image loads at its documented size", async () => {
  const g = await generate(s, { prompt: "put a banana hat on the cat", reference_hashes: refs, params: params() });
  assert.ok(g.ok, JSON.stringify(g.err));
  const kinds = g.events.map((e) => e.type);
  assert.ok(kinds.includes("thought_text"), `thought events: ${kinds}`);
  assert.ok(kinds.includes("done"));
  assert.equal(g.ok.images.length, 1);
  assert.equal(g.ok.images[0].width, 1024);
  chatId = g.ok.chat_id;
  const size = await s.execAsync(`const [id, done] = arguments; const i = new Image(); i.onload = () => done([i.naturalWidth, i.naturalHeight]); i.onerror = () => done("error"); i.src = "studio://image/" + id;`, [g.ok.images[0].id]);
  assert.deepEqual(size, [1024, 1024]);
  const thought = g.events.find((e) => e.type === "thought_image");
  if (thought) {
    const ok = await s.execAsync(`const [id, done] = arguments; const i = new Image(); i.onload = () => done(i.naturalWidth > 0); i.onerror = () => done(false); i.src = "studio://thought/" + id;`, [thought.id]);
    assert.equal(ok, true, "interim thought image served");
  }
});

test("the chat continues twice, replaying signed history the fake verifies", async () => {
  for (const prompt of ["make it night time", "add fireworks"]) {
    const g = await generate(s, { chat_id: chatId, prompt, reference_hashes: [], params: params({ aspect_ratio: "16:9" }) });
    assert.ok(g.ok, `${prompt}: ${JSON.stringify(g.err)}`);
    assert.equal(g.ok.chat_id, chatId);
    assert.equal(g.ok.images[0].width, 1376);
  }
  const chat = await invoke(s, "chat_show", { chatId });
  assert.equal(chat.ok.turns.length, 3);
});

test("a branch from the chat's start is a second first turn in the same chat", async () => {
  const g = await generate(s, { chat_id: chatId, from_start: true, prompt: "a banana boat instead", reference_hashes: [], params: params() });
  assert.ok(g.ok, JSON.stringify(g.err));
  assert.equal(g.ok.chat_id, chatId);
  const chat = await invoke(s, "chat_show", { chatId });
  const roots = chat.ok.turns.filter((t) => t.parent_turn_id === null).map((t) => t.prompt);
  assert.equal(roots.length, 2);
  assert.equal(roots[1], "a banana boat instead");
  assert.equal(chat.ok.head_turn_id, g.ok.turn_id);
  const both = await generate(s, { chat_id: chatId, from_start: true, parent_turn_id: g.ok.turn_id, prompt: "x", reference_hashes: [], params: params() });
  assert.equal(both.err?.kind, "invalid_params", JSON.stringify(both));
});

test("a per-minute quota is retried and reported, then succeeds", async () => {
  const g = await generate(s, { prompt: "a quota test [fake:429]", reference_hashes: [], params: params({ include_thoughts: false }) });
  assert.ok(g.ok, JSON.stringify(g.err));
  const retry = g.events.find((e) => e.type === "retry");
  assert.ok(retry, "retry event");
  assert.match(retry.reason + " " + retry.message, /quota/i);
});

test("a blocked prompt fails with the reason and saves nothing", async () => {
  const before = await invoke(s, "gallery_list", { query: {}, withTotal: true });
  const g = await generate(s, { prompt: "something forbidden [fake:block]", reference_hashes: refs, params: params() });
  assert.equal(g.err?.kind, "blocked", JSON.stringify(g));
  assert.match(g.err.message, /PROHIBITED_CONTENT|prohibited/i);
  const afterList = await invoke(s, "gallery_list", { query: {}, withTotal: true });
  assert.equal(afterList.ok.total, before.ok.total);
});

test("a slow generation is cancelled at once", async () => {
  const started = Date.now();
  const pending = generate(s, { prompt: "take your time [fake:slow=30s]", reference_hashes: [], params: params() });
  await new Promise((r) => setTimeout(r, 800));
  // The backend named the job in its first event.
  const jobId = await s.execAsync(`arguments[0](window.__lastJobId)`);
  assert.match(jobId, /^job_/);
  assert.equal((await invoke(s, "cancel_generation", { jobId: "job_made_up" })).ok, false, "only a running job's id");
  const c = await invoke(s, "cancel_generation", { jobId });
  assert.equal(c.ok, true);
  const g = await pending;
  assert.equal(g.err?.kind, "cancelled", JSON.stringify(g));
  assert.match(g.err.message, /nothing was saved/);
  assert.equal(g.events[0]?.type, "accepted");
  assert.ok(Date.now() - started < 10000, "returned quickly");
});

test("the gallery finds images by prompt words", async () => {
  const r = await invoke(s, "gallery_list", { query: { query: "fireworks", limit: 50 }, withTotal: true });
  assert.equal(r.ok.total, 1);
  assert.equal(r.ok.items[0].chat_id, chatId);
  const thumb = await s.execAsync(`const [id, done] = arguments; const i = new Image(); i.onload = () => done(i.naturalWidth); i.onerror = () => done(0); i.src = "studio://thumb/" + id;`, [r.ok.items[0].id]);
  assert.ok(thumb > 0 && thumb <= 512, `thumbnail width ${thumb}`);
});

test("the URI scheme refuses paths outside the data folder", async () => {
  const status = await s.execAsync(`const done = arguments[0]; fetch("studio://image/..%2F..%2Fetc%2Fpasswd").then(r => done(r.status), () => done("blocked"));`);
  assert.notEqual(status, 200);
});

/** Runs one SQL statement on the app's database from outside, as a tampered or damaged database would read. */
function sql(statement, ...args) {
  execFileSync("python3", ["-c", "import sqlite3, sys\nc = sqlite3.connect(sys.argv[1], timeout=10)\nc.execute(sys.argv[2], sys.argv[3:])\nc.commit()", path.join(dataDir, "gallery.sqlite"), statement, ...args]);
}

test("a gallery row naming a file outside images/ is neither served nor exported (issue 9)", async () => {
  const list = await invoke(s, "gallery_list", { query: { limit: 50 }, withTotal: false });
  const id = list.ok.items[0].id;
  const detail = await invoke(s, "gallery_get", { id });
  assert.ok(detail.ok, JSON.stringify(detail.err));
  const original = fs.readdirSync(path.join(dataDir, "images")).find((f) => f.startsWith(id));
  assert.ok(original, "the image's file is in images/");
  fs.writeFileSync(path.join(dataDir, "secret.txt"), "top secret");
  const fetchStatus = (url) => s.execAsync(`const done = arguments[1]; fetch(arguments[0]).then(r => done(r.status), () => done("blocked"));`, [url]);
  try {
    sql("UPDATE images SET file_name = ?1 WHERE id = ?2", "../secret.txt", id);
    // A query makes each URL new to the webview's cache (the scheme ignores it).
    assert.equal(await fetchStatus(`studio://image/${id}?t=${Date.now()}`), 404);
    assert.equal(await fetchStatus(`studio://thumb/${id}?t=${Date.now()}`), 404);
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "banana-e2e-export-"));
    const exported = await invoke(s, "gallery_export", { ids: [id], folder: out });
    assert.equal(exported.err?.kind, "not_found", JSON.stringify(exported));
    assert.deepEqual(fs.readdirSync(out), []);
    fs.rmSync(out, { recursive: true, force: true });
  } finally {
    sql("UPDATE images SET file_name = ?1 WHERE id = ?2", original, id);
  }
  assert.equal(await fetchStatus(`studio://image/${id}?t=${Date.now()}`), 200);
});

test("after a restart everything is still there", async () => {
  await s.close();
  s = await Session.create(driver.base, app);
  await s.waitFor(`return document.getElementById("mode-badge").textContent === "Offline demo"`);
  const r = await invoke(s, "gallery_list", { query: { limit: 50 }, withTotal: true });
  assert.equal(r.ok.total, 5);
  const chat = await invoke(s, "chat_show", { chatId });
  assert.equal(chat.ok.turns.length, 4);
  // And the chat can still be continued: the fake checks the stored signatures again.
  const g = await generate(s, { chat_id: chatId, prompt: "one more star", reference_hashes: [], params: params() });
  assert.ok(g.ok, JSON.stringify(g.err));
});

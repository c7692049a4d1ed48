// Start-up failures are shown in a window (issue 9): the app, started with a data folder it cannot use, prints
// the reason, shows a native dialog naming it and the data folder, and exits with status 1 once the dialog is
// closed. The app is started directly (no WebDriver: there is no page to drive); the dialog is found and
// closed with xdotool on the test's X display.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const app = path.join(process.env.CARGO_TARGET_DIR ?? path.join(root, "target"), "debug/banana-studio");
const TITLE = "Banana Studio could not start";
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "banana-e2e-startup-"));
const running = new Set();
after(() => {
  for (const child of running) { try { process.kill(-child.pid, "SIGKILL"); } catch { child.kill("SIGKILL"); } }
  fs.rmSync(scratch, { recursive: true, force: true });
});

function xdotool(...args) {
  try { return execFileSync("xdotool", args, { stdio: ["ignore", "pipe", "ignore"] }).toString().trim(); } catch { return ""; }
}

/** Starts the app on `dataDir`, waits for the dialog, answers it with `key`, and returns what was seen. */
async function startAndDismiss(dataDir, key = "Return") {
  assert.ok(fs.existsSync(app), `build the app first (cargo build --bins): ${app} is missing`);
  // Its own process group, so an app it starts again (after a rebuild) is ended with it.
  const child = spawn(app, [], { env: { ...process.env, BANANA_STUDIO_DATA_DIR: dataDir, GEMINI_API_KEY: "" }, stdio: ["ignore", "ignore", "pipe"], detached: true });
  running.add(child);
  let stderr = "";
  child.stderr.on("data", (d) => { stderr += d; });
  const exited = new Promise((resolve) => child.on("exit", (code, signal) => { running.delete(child); resolve({ code, signal }); }));
  let window = "";
  for (let i = 0; i < 150 && !window; i++) {
    window = xdotool("search", "--name", TITLE).split("\n")[0];
    if (!window) await sleep(200);
  }
  const title = window ? xdotool("getwindowname", window) : "";
  const stillRunning = child.exitCode === null;
  if (window) {
    // Return answers the focused default button (Close, or Rebuild for a damaged database); Escape closes.
    xdotool("windowfocus", "--sync", window);
    xdotool("key", key);
  }
  let timer;
  const outcome = await Promise.race([exited, new Promise((r) => { timer = setTimeout(() => r(null), 20000); })]);
  clearTimeout(timer);
  if (!outcome) child.kill("SIGKILL");
  return { window, title, stillRunning, outcome, stderr };
}

test("a data folder that cannot be created: a dialog, the reason on stderr, exit status 1", async () => {
  const blocker = path.join(scratch, "a-file");
  fs.writeFileSync(blocker, "not a folder");
  const dataDir = path.join(blocker, "studio");
  const seen = await startAndDismiss(dataDir);
  assert.ok(seen.window, `no dialog window; stderr: ${seen.stderr}`);
  assert.equal(seen.title, TITLE);
  assert.ok(seen.stillRunning, "the app waits for the dialog to be closed");
  assert.deepEqual(seen.outcome, { code: 1, signal: null }, seen.stderr);
  assert.match(seen.stderr, /^Banana Studio could not start\.\n\ncannot create the data folder .*a-file\/studio: Not a directory/);
  assert.ok(seen.stderr.includes(`Data folder: ${dataDir}\n`), seen.stderr);
  assert.doesNotMatch(seen.stderr, /panicked|backtrace/);
});

test("a damaged database, dialog closed: the recovery steps, exit status 1, the file left as it was", async () => {
  const dataDir = path.join(scratch, "damaged");
  fs.mkdirSync(dataDir);
  fs.writeFileSync(path.join(dataDir, "gallery.sqlite"), Buffer.alloc(8192, 0x5a));
  const seen = await startAndDismiss(dataDir, "Escape");
  assert.ok(seen.window, `no dialog window; stderr: ${seen.stderr}`);
  assert.deepEqual(seen.outcome, { code: 1, signal: null }, seen.stderr);
  assert.match(seen.stderr, /file is not a database/);
  assert.match(seen.stderr, /banana gallery rebuild/);
  assert.ok(seen.stderr.includes(`Data folder: ${dataDir}\n`), seen.stderr);
  // The damaged file is left as it was, for recovery.
  assert.deepEqual(fs.readFileSync(path.join(dataDir, "gallery.sqlite")), Buffer.alloc(8192, 0x5a));
});

test("a damaged database, Rebuild: the index is rebuilt from the image files and the app starts again", async () => {
  const dataDir = path.join(scratch, "rebuild");
  fs.mkdirSync(path.join(dataDir, "images"), { recursive: true });
  fs.writeFileSync(path.join(dataDir, "gallery.sqlite"), Buffer.alloc(8192, 0x5a));
  // An image saved before sidecars existed (so it comes back as recovered), made with ImageMagick.
  execFileSync("convert", ["-size", "64x48", "xc:orange", path.join(dataDir, "images", "img_0000000000010000abcd.png")]);
  const seen = await startAndDismiss(dataDir, "Return");
  assert.ok(seen.window, `no dialog window; stderr: ${seen.stderr}`);
  assert.deepEqual(seen.outcome, { code: 0, signal: null }, seen.stderr);
  assert.match(seen.stderr, /Gallery index rebuilt from the image files: 0 listed again with their prompts, 1 recovered without them\. The damaged database was kept as .*gallery\.sqlite\.corrupt-/);
  const aside = fs.readdirSync(dataDir).filter((f) => f.startsWith("gallery.sqlite.corrupt-"));
  assert.equal(aside.length, 1, fs.readdirSync(dataDir).join(", "));
  assert.deepEqual(fs.readFileSync(path.join(dataDir, aside[0])), Buffer.alloc(8192, 0x5a), "kept byte for byte");
  // The app came back: its main window opens on the rebuilt gallery.
  let main = "";
  for (let i = 0; i < 150 && !main; i++) {
    main = xdotool("search", "--name", "^Banana Studio$").split("\n")[0];
    if (!main) await sleep(200);
  }
  assert.ok(main, "the app started again");
  const cli = path.join(path.dirname(app), "banana");
  const listed = JSON.parse(execFileSync(cli, ["gallery", "list", "--json"], { env: { ...process.env, BANANA_STUDIO_DATA_DIR: dataDir } }).toString());
  const items = Array.isArray(listed) ? listed : listed.images ?? listed.items;
  assert.equal(items.length, 1, JSON.stringify(listed));
  const pid = Number(xdotool("getwindowpid", main));
  if (pid) process.kill(pid, "SIGKILL");
});

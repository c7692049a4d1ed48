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
  for (const child of running) child.kill("SIGKILL");
  fs.rmSync(scratch, { recursive: true, force: true });
});

function xdotool(...args) {
  try { return execFileSync("xdotool", args, { stdio: ["ignore", "pipe", "ignore"] }).toString().trim(); } catch { return ""; }
}

/** Starts the app on `dataDir`, waits for the dialog, closes it, and returns what was seen. */
async function startAndDismiss(dataDir) {
  assert.ok(fs.existsSync(app), `build the app first (cargo build --bins): ${app} is missing`);
  const child = spawn(app, [], { env: { ...process.env, BANANA_STUDIO_DATA_DIR: dataDir, GEMINI_API_KEY: "" }, stdio: ["ignore", "ignore", "pipe"] });
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
    // The dialog's only button is Close and it has the focus: Return closes it, as a person would.
    xdotool("windowfocus", "--sync", window);
    xdotool("key", "Return");
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

test("a damaged database: a dialog that points at the recovery steps, exit status 1", async () => {
  const dataDir = path.join(scratch, "damaged");
  fs.mkdirSync(dataDir);
  fs.writeFileSync(path.join(dataDir, "gallery.sqlite"), Buffer.alloc(8192, 0x5a));
  const seen = await startAndDismiss(dataDir);
  assert.ok(seen.window, `no dialog window; stderr: ${seen.stderr}`);
  assert.deepEqual(seen.outcome, { code: 1, signal: null }, seen.stderr);
  assert.match(seen.stderr, /file is not a database/);
  assert.match(seen.stderr, /move gallery\.sqlite/);
  assert.ok(seen.stderr.includes(`Data folder: ${dataDir}\n`), seen.stderr);
  // The damaged file is left as it was, for recovery.
  assert.deepEqual(fs.readFileSync(path.join(dataDir, "gallery.sqlite")), Buffer.alloc(8192, 0x5a));
});

// Benchmarks of the real app window with a large gallery (issue 5): launch to first gallery page, search
// latency, scroll frame times, and memory, each against a baseline measured in the same run.
//   scripts/bench-app [N]     (default N = 100000; run under a display or via the script's xvfb-run)
// Baselines: launch and memory with an empty gallery; search and scrolling with a 1,000-image gallery.
// Export (issue 9): the longest main-thread stall while 50 large images are exported, against the old path
// (the export on the GTK main thread, BANANA_BENCH_EXPORT_ON_MAIN_THREAD=1) in the same run.
//   scripts/bench-app export  runs only that part.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startDriver, Session } from "../tests/e2e/webdriver.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const target = process.env.CARGO_TARGET_DIR ?? path.join(root, "target");
// BANANA_BENCH_APP: another build of the app (e.g. target/release/banana-studio); the debug build by default.
const app = process.env.BANANA_BENCH_APP ?? path.join(target, "debug/banana-studio");
const onlyExport = process.argv[2] === "export";
const N = onlyExport ? 0 : Number(process.argv[2] ?? 100000);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function seed(n) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `banana-bench-${n}-`));
  if (n > 0) execFileSync(path.join(target, "debug/examples/seed_gallery"), [dir, String(n)], { stdio: "inherit" });
  return dir;
}

function rssKb(name) {
  try {
    const pids = execFileSync("pgrep", ["-f", name]).toString().trim().split("\n");
    return pids.reduce((sum, pid) => {
      try { return sum + Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))[1]); } catch { return sum; }
    }, 0);
  } catch { return 0; }
}
/** The newest app process: a previous run's may still be exiting. */
function appPid() {
  try { return execFileSync("pgrep", ["-n", "-x", "banana-studio"]).toString().trim(); } catch { return null; }
}

/** When the app process started (epoch ms, 10 ms resolution): its start tick in /proc against the uptime now. */
function appStartEpochMs() {
  try {
    const stat = fs.readFileSync(`/proc/${appPid()}/stat`, "utf8");
    const startTicks = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19]);
    const uptimeS = Number(fs.readFileSync("/proc/uptime", "utf8").split(" ")[0]);
    const hz = Number(execFileSync("getconf", ["CLK_TCK"]).toString().trim()) || 100;
    return Date.now() - (uptimeS - startTicks / hz) * 1000;
  } catch { return NaN; }
}
const appRss = () => { try { return Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${appPid()}/status`, "utf8"))[1]); } catch { return 0; } };

const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.round((s.length - 1) * p))]; };
const f1 = (x) => x.toFixed(1);

async function pollUntil(s, expr, timeout = 60000) {
  const end = Date.now() + timeout;
  while (Date.now() < end) {
    if (await s.exec(`return (function(){ ${expr} })()`)) return;
    await sleep(5);
  }
  const state = await s.exec(`return [document.getElementById("gallery-count")?.textContent, document.querySelectorAll("#gallery-grid .tile img").length, [...document.querySelectorAll("#gallery-grid .tile img")].slice(0, 8).map((i) => i.complete + ":" + i.naturalWidth + ":" + i.src).join(" ")]`).catch((e) => String(e));
  throw new Error("timeout: " + expr + "\nstate: " + JSON.stringify(state));
}

async function measure(dir, label, { scroll = false, search = false, env = {} } = {}) {
  const driver = await startDriver({ env: { BANANA_STUDIO_DATA_DIR: dir, GEMINI_API_KEY: "", ...env } });
  const out = { label };
  try {
    const t0 = Date.now();
    const s = await Session.create(driver.base, app);
    // Launch -> the Gallery tab's first page of thumbnails decoded (the tab is opened as soon as it exists).
    // Click Gallery until its view shows (the first click can land before the UI has wired the tab).
    await pollUntil(s, `const n = document.getElementById("nav-gallery"); const g = document.getElementById("gallery"); if (!n || !g) return false; if (g.hidden) n.click(); return !g.hidden && !!document.getElementById("gallery-count");`);
    await pollUntil(s, `const c = document.getElementById("gallery-count"); if (!c) return false; if (/^No images yet/.test(c.textContent)) return true; if (!/\\d/.test(c.textContent)) return false; const imgs = [...document.querySelectorAll("#gallery-grid .tile img")]; return (imgs.length > 0 && imgs.slice(0, 8).every((i) => i.complete && i.naturalWidth > 0));`);
    const shownAt = Date.now();
    out.launchToFirstPageMs = shownAt - t0;
    // From the app process's own start (without WebDriver's session set-up before it).
    out.processToFirstPageMs = Math.round(shownAt - appStartEpochMs());
    // The same, in-page: from the webview's navigation start (excludes process and webview start-up).
    out.pageToFirstPageMs = await s.exec(`return performance.now()`);
    await sleep(1500);
    out.rssIdleAppKb = appRss();
    out.rssIdleWebKb = rssKb("WebKitWebProcess");
    console.error(`[${label}] first page ${out.launchToFirstPageMs} ms`);
    if (search) {
      // Backend + IPC, as the search box sends it: the first page of results, then (separately, after the
      // page is shown) the match count.
      const words = ["banana", "ast", "sunset castle", "neon city", "robot", "drag", "ocean mountain", "vintage", "cyber", "sketch"];
      const timed = (cmd, args) => s.execAsync(`
        const [words, cmd, args, done] = arguments; const T = window.__TAURI_INTERNALS__; const times = [];
        (async () => { for (let k = 0; k < 5; k++) for (const w of words) { const t = performance.now(); await T.invoke(cmd, { ...args, query: { query: w, limit: 100 } }); times.push(performance.now() - t); } done(times); })();`, [words, cmd, args]);
      out.searchIpcMs = await timed("gallery_list", { withTotal: false });
      out.countIpcMs = await timed("gallery_count", {});
      console.error(`[${label}] search ipc done`);
      // Search-as-you-type end to end: keystroke -> results shown (includes the UI's debounce).
      const typed = [];
      for (const w of ["banana", "robot", "ocean"]) {
        await s.exec(`const i = document.getElementById("gallery-search"); i.value = ""; i.dispatchEvent(new Event("input", { bubbles: true }));`);
        await sleep(400);
        // The grid stamps each query's first shown page on the scroller (data-shown).
        const before = await s.exec(`return document.getElementById("gallery-grid").dataset.shown ?? ""`);
        const t = Date.now();
        await s.exec(`const i = document.getElementById("gallery-search"); i.value = arguments[0]; i.dispatchEvent(new Event("input", { bubbles: true }));`, [w]);
        await pollUntil(s, `return (document.getElementById("gallery-grid").dataset.shown ?? "") !== ${JSON.stringify(before)}`);
        typed.push(Date.now() - t);
      }
      out.searchTypedMs = typed;
      await s.exec(`const i = document.getElementById("gallery-search"); i.value = ""; i.dispatchEvent(new Event("input", { bubbles: true }));`);
      await sleep(500);
    }
    console.error(`[${label}] search done`);
    if (scroll) {
      // Scroll frame times: 240 frames scrolling ~1.5 screens per second, then a fling to the far end.
      out.frames = await s.execAsync(`
        const done = arguments[0]; const g = document.getElementById("gallery-grid"); const deltas = []; let last = performance.now(); let n = 0;
        let finished = false; const finish = () => { if (!finished) { finished = true; done(deltas.slice(1)); } };
        function step(t) { deltas.push(t - last); last = t; g.scrollTop += 12; if (++n < 240) requestAnimationFrame(step); else finish(); }
        setTimeout(finish, 30000);  // rAF can stall when the compositor does (e.g. no visible window)
        requestAnimationFrame((t) => { last = t; requestAnimationFrame(step); });`);
      console.error(`[${label}] ${out.frames.length} frames`);
      // The grid's own work per frame (layout of the visible rows, tile reuse), recorded by the grid itself:
      // what the app spends of a 16.7 ms frame, apart from WebKit's painting.
      out.renderMs = await s.exec(`return (window.__gridRenderMs ?? []).slice()`);
      out.domTiles = await s.exec(`return document.querySelectorAll("#gallery-grid .tile").length`);
      const t = Date.now();
      await s.exec(`const g = document.getElementById("gallery-grid"); g.scrollTop = g.scrollHeight;`);
      await pollUntil(s, `const imgs = [...document.querySelectorAll("#gallery-grid .tile img")]; return imgs.length > 0 && imgs.every((i) => i.complete && i.naturalWidth > 0);`);
      out.flingToEndMs = Date.now() - t;
      await sleep(1000);
      out.rssAfterScrollAppKb = appRss();
      out.rssAfterScrollWebKb = rssKb("WebKitWebProcess");
    }
    await s.close();
  } finally {
    driver.stop();
    await sleep(500);
  }
  return out;
}

/**
 * Exports `ids` (50 images of 8 MB) a few times while two probes run in the page: a stream of calls to a
 * synchronous command (`cancel_generation` with an unknown id: answered on the GTK main thread, so its
 * round trip is how long the main thread could not answer) and a requestAnimationFrame loop (the longest gap
 * between frames). Returns the longest of each per export and the export's own time.
 */
async function measureExport(dir, label, env = {}) {
  const driver = await startDriver({ env: { BANANA_STUDIO_DATA_DIR: dir, GEMINI_API_KEY: "", ...env } });
  const out = { label, runs: [] };
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), "banana-bench-export-"));
  try {
    const s = await Session.create(driver.base, app);
    await pollUntil(s, `return !!window.__TAURI_INTERNALS__ && (document.getElementById("mode-badge")?.textContent ?? "") !== ""`);
    const ids = await s.execAsync(`const done = arguments[0]; window.__TAURI_INTERNALS__.invoke("gallery_list", { query: { limit: 100 }, withTotal: false }).then((p) => done(p.items.map((i) => i.id)), (e) => done(String(e)));`);
    if (!Array.isArray(ids) || ids.length !== 50) throw new Error("expected 50 images, got " + JSON.stringify(ids).slice(0, 200));
    await sleep(1500);
    // The first export warms the page cache for both; the next five are measured.
    for (let k = 0; k < 6; k++) {
      const r = await s.execAsync(`
        const [ids, folder, done] = arguments; const T = window.__TAURI_INTERNALS__;
        let running = true, maxIpc = 0, probes = 0, maxGap = 0, frames = 0, last = performance.now();
        const frame = (t) => { maxGap = Math.max(maxGap, t - last); last = t; frames++; if (running) requestAnimationFrame(frame); };
        requestAnimationFrame((t) => { last = t; requestAnimationFrame(frame); });
        (async () => { while (running) { const t = performance.now(); await T.invoke("cancel_generation", { jobId: "probe" }); maxIpc = Math.max(maxIpc, performance.now() - t); probes++; await new Promise((r) => setTimeout(r, 4)); } })();
        setTimeout(async () => {
          const t = performance.now();
          let written = null; try { written = await T.invoke("gallery_export", { ids, folder }); } catch (e) { written = String(e?.message ?? e); }
          const exportMs = performance.now() - t;
          setTimeout(() => { running = false; done({ written, exportMs, maxIpc, probes, maxGap, frames }); }, 300);
        }, 300);`, [ids, folder]);
      if (r.written !== 50) throw new Error("export failed: " + JSON.stringify(r));
      if (k > 0) out.runs.push(r);
      console.error(`[${label}] export ${k}: ${JSON.stringify(r)}`);
    }
    await s.close();
  } finally {
    driver.stop();
    fs.rmSync(folder, { recursive: true, force: true });
    await sleep(500);
  }
  return out;
}

/** A 50-image gallery whose image files are 8 MB each (what a 4K PNG weighs), for the export benchmark. */
function seedLarge() {
  const dir = seed(50);
  const filler = Buffer.alloc(8 * 1024 * 1024);
  for (let i = 0; i < filler.length; i += 4) filler.writeUInt32LE((i * 2654435761) >>> 0, i);
  for (const f of fs.readdirSync(path.join(dir, "images"))) fs.writeFileSync(path.join(dir, "images", f), filler);
  return dir;
}

async function exportBench() {
  const dir = seedLarge();
  const old = await measureExport(dir, "export on the main thread (old)", { BANANA_BENCH_EXPORT_ON_MAIN_THREAD: "1" });
  const now = await measureExport(dir, "export off the main thread");
  fs.rmSync(dir, { recursive: true, force: true });
  const worst = (r, k) => Math.max(...r.runs.map((x) => x[k]));
  const med = (r, k) => pct(r.runs.map((x) => x[k]), 0.5);
  const lines = [];
  const say = (t) => { lines.push(t); console.log(t); };
  say(`Exporting 50 images of 8 MB (${old.runs.length} exports each; per export the longest stall, then the median and the worst of those):`);
  say("");
  say(`| measure | old: export on the main thread | now: off the main thread | ratio |`);
  say(`|---|---|---|---|`);
  for (const [name, k] of [["longest main-thread stall (round trip of a synchronous command)", "maxIpc"], ["longest gap between animation frames", "maxGap"]]) {
    say(`| ${name}, median | ${f1(med(old, k))} ms | ${f1(med(now, k))} ms | ${f1(med(old, k) / med(now, k))}x |`);
    say(`| ${name}, worst | ${f1(worst(old, k))} ms | ${f1(worst(now, k))} ms | ${f1(worst(old, k) / worst(now, k))}x |`);
  }
  say(`| export time, median | ${f1(med(old, "exportMs"))} ms | ${f1(med(now, "exportMs"))} ms | ${f1(med(old, "exportMs") / med(now, "exportMs"))}x |`);
  say(`| probe calls answered during the run (median) | ${med(old, "probes")} | ${med(now, "probes")} | |`);
  return lines;
}

if (onlyExport) {
  const lines = await exportBench();
  fs.writeFileSync(path.join(os.tmpdir(), "banana-bench-export.md"), lines.join("\n") + "\n");
  process.exit(0);
}

const empty = seed(0);
const small = seed(1000);
const big = seed(N);
const runs = [
  await measure(empty, "empty"),
  await measure(small, "1k", { scroll: true, search: true }),
  await measure(big, `${N / 1000}k`, { scroll: true, search: true }),
  // WebKit's accelerated compositing, which the app turns off by default (src-tauri/src/webview_env.rs).
  await measure(big, `${N / 1000}k composited`, { scroll: true, env: { BANANA_GPU_COMPOSITING: "1" } }),
];
const [e, k1, kN, kC] = runs;
const lines = [];
const say = (s) => { lines.push(s); console.log(s); };
say(`| measure | baseline | ${kN.label} images | ratio |`);
say(`|---|---|---|---|`);
say(`| launch to first gallery page (wall, incl. process start) | ${e.launchToFirstPageMs} ms (empty) | ${kN.launchToFirstPageMs} ms | ${f1(kN.launchToFirstPageMs / e.launchToFirstPageMs)}x |`);
say(`| app process start to first gallery page (no WebDriver set-up) | ${e.processToFirstPageMs} ms (empty) | ${kN.processToFirstPageMs} ms | ${f1(kN.processToFirstPageMs / e.processToFirstPageMs)}x |`);
say(`| webview navigation start to first gallery page | ${f1(e.pageToFirstPageMs)} ms (empty) | ${f1(kN.pageToFirstPageMs)} ms | ${f1(kN.pageToFirstPageMs / e.pageToFirstPageMs)}x |`);
for (const [name, a, b] of [["search, first page of results (IPC + query) p50", pct(k1.searchIpcMs, 0.5), pct(kN.searchIpcMs, 0.5)], ["search, first page of results (IPC + query) p95", pct(k1.searchIpcMs, 0.95), pct(kN.searchIpcMs, 0.95)],
  ["search, match count, asked after the page is shown (IPC + query) p50", pct(k1.countIpcMs, 0.5), pct(kN.countIpcMs, 0.5)], ["search, match count (IPC + query) p95", pct(k1.countIpcMs, 0.95), pct(kN.countIpcMs, 0.95)]]) {
  say(`| ${name} | ${f1(a)} ms (1k) | ${f1(b)} ms | ${f1(b / a)}x |`);
}
say(`| search as you type, keystroke to first results shown (incl. 180 ms debounce), median | ${pct(k1.searchTypedMs, 0.5)} ms (1k) | ${pct(kN.searchTypedMs, 0.5)} ms | ${f1(pct(kN.searchTypedMs, 0.5) / pct(k1.searchTypedMs, 0.5))}x |`);
for (const [name, p] of [["scroll frame time p50", 0.5], ["scroll frame time p95", 0.95], ["scroll frame time max", 1]]) {
  say(`| ${name} | ${f1(pct(k1.frames, p))} ms (1k) | ${f1(pct(kN.frames, p))} ms | ${f1(pct(kN.frames, p) / pct(k1.frames, p))}x |`);
}
say(`| grid script time per frame p95 (the app's share of a frame) | ${f1(pct(k1.renderMs, 0.95))} ms (1k) | ${f1(pct(kN.renderMs, 0.95))} ms | ${f1(pct(kN.renderMs, 0.95) / pct(k1.renderMs, 0.95))}x |`);
const slow = (xs) => xs.filter((d) => d > 25).length;
say(`| frames over 25 ms (of 239) | ${slow(k1.frames)} (1k) | ${slow(kN.frames)} | |`);
say(`| tiles in the DOM while scrolling | ${k1.domTiles} (1k) | ${kN.domTiles} | |`);
say(`| fling to the end, tiles decoded | ${k1.flingToEndMs} ms (1k) | ${kN.flingToEndMs} ms | |`);
say(`| RSS app process, idle | ${Math.round(e.rssIdleAppKb / 1024)} MB (empty) | ${Math.round(kN.rssIdleAppKb / 1024)} MB | ${f1(kN.rssIdleAppKb / e.rssIdleAppKb)}x |`);
say(`| RSS app process, after scrolling | ${Math.round(k1.rssAfterScrollAppKb / 1024)} MB (1k) | ${Math.round(kN.rssAfterScrollAppKb / 1024)} MB | ${f1(kN.rssAfterScrollAppKb / k1.rssAfterScrollAppKb)}x |`);
say(`| RSS WebKit web process, idle | ${Math.round(e.rssIdleWebKb / 1024)} MB (empty) | ${Math.round(kN.rssIdleWebKb / 1024)} MB | ${f1(kN.rssIdleWebKb / e.rssIdleWebKb)}x |`);
say(`| RSS WebKit web process, after scrolling | ${Math.round(k1.rssAfterScrollWebKb / 1024)} MB (1k) | ${Math.round(kN.rssAfterScrollWebKb / 1024)} MB | ${f1(kN.rssAfterScrollWebKb / k1.rssAfterScrollWebKb)}x |`);
say("");
say(`Compositing (${kN.label} images): the default (direct painting) against WebKit's accelerated compositing.`);
say("");
say(`| measure | composited (BANANA_GPU_COMPOSITING=1) | default | ratio |`);
say(`|---|---|---|---|`);
for (const [name, p] of [["scroll frame time p50", 0.5], ["scroll frame time p95", 0.95]]) {
  say(`| ${name} | ${f1(pct(kC.frames, p))} ms | ${f1(pct(kN.frames, p))} ms | ${f1(pct(kN.frames, p) / pct(kC.frames, p))}x |`);
}
say(`| frames over 25 ms (of 239) | ${slow(kC.frames)} | ${slow(kN.frames)} | |`);
say(`| RSS WebKit web process, idle | ${Math.round(kC.rssIdleWebKb / 1024)} MB | ${Math.round(kN.rssIdleWebKb / 1024)} MB | ${f1(kN.rssIdleWebKb / kC.rssIdleWebKb)}x |`);
say(`| RSS WebKit web process, after scrolling | ${Math.round(kC.rssAfterScrollWebKb / 1024)} MB | ${Math.round(kN.rssAfterScrollWebKb / 1024)} MB | ${f1(kN.rssAfterScrollWebKb / kC.rssAfterScrollWebKb)}x |`);
fs.writeFileSync(path.join(os.tmpdir(), "banana-bench-app.md"), lines.join("\n") + "\n");
for (const d of [empty, small, big]) fs.rmSync(d, { recursive: true, force: true });
say("");
for (const l of await exportBench()) lines.push(l);
fs.writeFileSync(path.join(os.tmpdir(), "banana-bench-app.md"), lines.join("\n") + "\n");

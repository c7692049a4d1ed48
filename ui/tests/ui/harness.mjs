// Test harness for the UI in headless Chromium: serves ui/dist over http, mocks Tauri's IPC (commands,
// events, Channels), and maps the studio:// image scheme onto the same server. Debian's Chromium only: no
// browser is ever downloaded.
import http from "node:http";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = path.dirname(fileURLToPath(import.meta.url));
export const uiRoot = path.resolve(here, "../..");
export const repoRoot = path.resolve(uiRoot, "..");
const dist = path.join(uiRoot, "dist");
const types = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg", ".webp": "image/webp" };

/**
 * Starts a static server for ui/dist; `/studio/{kind}/{id}` is answered by `images(kind, id)`, which returns
 * a file path or a Buffer of PNG bytes (or null for 404). `/ext/...` serves PNGs for "remote" grounding images.
 */
export async function serve(images = () => null) {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, "http://x");
    const m = url.pathname.match(/^\/studio\/([a-z]+)\/(.+)$/);
    if (m) {
      const found = m[1] === "demo" ? path.join(repoRoot, "icons/icon.png") : images(m[1], decodeURIComponent(m[2]));
      if (Buffer.isBuffer(found)) { res.writeHead(200, { "content-type": "image/png" }); res.end(found); return; }
      if (!found || !fs.existsSync(found)) { res.writeHead(404); res.end("no such image"); return; }
      res.writeHead(200, { "content-type": types[path.extname(found)] ?? "application/octet-stream" });
      fs.createReadStream(found).pipe(res);
      return;
    }
    const rel = url.pathname === "/" ? "index.html" : url.pathname.slice(1);
    const file = path.join(dist, rel);
    if (!file.startsWith(dist) || !fs.existsSync(file)) { res.writeHead(404); res.end(); return; }
    res.writeHead(200, { "content-type": types[path.extname(file)] ?? "application/octet-stream" });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => { server.closeAllConnections?.(); server.close(r); }) };
}

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
      "--disable-sync", "--disable-dev-shm-usage", "--no-first-run", "--font-render-hinting=none"],
  });
}

/**
 * Opens the app page with IPC mocked (`now`: a fixed `Date` for the page, e.g. "2026-12-02T12:00:00Z"). `handlers` maps a command name to a value or to `(args, options)` =>
 * result (serialised into the page, so it cannot close over test variables: pass data through `fixtures`,
 * readable in the page as `window.__FIX__`); a handler that throws makes the command fail the way Tauri does.
 * In the page:
 *   - calls are recorded in `window.__IPC_CALLS__` ({cmd, args, options});
 *   - `__emitMock(event, payload)` delivers a Tauri event to its listeners (e.g. "tauri://drag-drop");
 *   - `__channelSend(channel, message)` / `__channelEnd(channel)` push on a Channel passed to a command;
 *   - `__sleep(ms)` helps handlers stream with delays.
 */
export async function openApp(browser, baseUrl, handlers, { colorScheme = "light", viewport = { width: 1280, height: 800 }, fixtures = {}, storage = null, context: reuse = null, now = null } = {}) {
  // UTC whatever the machine's zone, so dates and times on screen match the baselines.
  const context = reuse ?? await browser.newContext({ viewport, colorScheme, reducedMotion: "reduce", timezoneId: "UTC" });
  context.setDefaultTimeout(8000);
  // A fixed wall clock (timers still run) for screens that say how long ago something was.
  if (now) await context.clock.setFixedTime(now);
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  // A handler is a plain value (returned as is) or a self-contained function source run in the page.
  const source = Object.entries(handlers)
    .map(([k, v]) => `${JSON.stringify(k)}: ${typeof v === "function" ? v.toString() : `() => (${JSON.stringify(v)})`}`)
    .join(",\n");
  await page.addInitScript(`
    window.__STUDIO_IMAGE_BASE__ = ${JSON.stringify(baseUrl + "/studio")};
    window.__FIX__ = ${JSON.stringify(fixtures)};
    ${storage ? `if (!sessionStorage.getItem("__seeded")) { sessionStorage.setItem("__seeded", "1"); for (const [k, v] of Object.entries(${JSON.stringify(storage)})) localStorage.setItem(k, v); }` : ""}
    window.__IPC_CALLS__ = [];
    const handlers = {${source}};
    let nextId = 1;
    const callbacks = new Map();
    const listeners = new Map();
    const channelIndex = new Map();
    window.__sleep = (ms) => new Promise((r) => setTimeout(r, ms));
    window.__channelSend = (channel, message) => {
      const id = channel.id; const i = channelIndex.get(id) ?? 0; channelIndex.set(id, i + 1);
      callbacks.get(id)?.({ index: i, message });
    };
    window.__channelEnd = (channel) => { const id = channel.id; callbacks.get(id)?.({ index: channelIndex.get(id) ?? 0, end: true }); };
    window.__emitMock = (event, payload) => {
      for (const [id, ev] of listeners) if (ev === event) callbacks.get(id)?.({ event, payload, id: 0 });
    };
    window.__TAURI_INTERNALS__ = {
      metadata: { currentWindow: { label: "main" }, currentWebview: { windowLabel: "main", label: "main" } },
      transformCallback(cb, once) { const id = nextId++; callbacks.set(id, cb); return id; },
      unregisterCallback(id) { callbacks.delete(id); },
      async invoke(cmd, args, options) {
        window.__IPC_CALLS__.push({ cmd, args: args instanceof Uint8Array || args instanceof ArrayBuffer ? { bytes: args.byteLength } : args, options });
        if (cmd === "plugin:event|listen") { listeners.set(args.handler, args.event); return args.handler; }
        if (cmd.startsWith("plugin:event|")) return 0;
        const h = handlers[cmd];
        if (!h) throw { kind: "unknown", message: "no mock for " + cmd };
        return await h(args, options);
      },
      convertFileSrc(p) { return p; },
    };
  `);
  await page.goto(baseUrl + "/");
  return { page, context, errors };
}

/** The recorded IPC calls of one command. */
export async function calls(page, cmd) {
  return page.evaluate((c) => window.__IPC_CALLS__.filter((x) => x.cmd === c).map((x) => ({ args: x.args, options: x.options })), cmd);
}

// Test harness for the UI in headless Chromium: serves ui/dist over http, mocks Tauri's IPC, and maps the
// studio:// image scheme onto the same server. Debian's Chromium only: no browser is ever downloaded.
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

/** Starts a static server for ui/dist; `/studio/{kind}/{id}` is answered by `images(kind, id)`. */
export async function serve(images = () => null) {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, "http://x");
    const m = url.pathname.match(/^\/studio\/([a-z]+)\/(.+)$/);
    if (m) {
      const file = m[1] === "demo" ? path.join(repoRoot, "icons/icon.png") : images(m[1], decodeURIComponent(m[2]));
      if (!file || !fs.existsSync(file)) { res.writeHead(404); res.end("no such image"); return; }
      res.writeHead(200, { "content-type": types[path.extname(file)] ?? "application/octet-stream" });
      fs.createReadStream(file).pipe(res);
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
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(r)) };
}

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
      "--disable-sync", "--disable-dev-shm-usage", "--no-first-run"],
  });
}

/**
 * Opens the app page with IPC mocked. `handlers` maps a command name to a value or to `(args) => result`
 * (serialised into the page, so it cannot close over test variables); a handler that throws makes the command fail the way Tauri does (the promise rejects with the thrown value).
 * Calls are recorded in `window.__IPC_CALLS__`.
 */
export async function openApp(browser, baseUrl, handlers, { colorScheme = "light", viewport = { width: 1280, height: 800 } } = {}) {
  const context = await browser.newContext({ viewport, colorScheme });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  // A handler is a plain value (returned as is) or a self-contained function source run in the page.
  const source = Object.entries(handlers)
    .map(([k, v]) => `${JSON.stringify(k)}: ${typeof v === "function" ? v.toString() : `() => (${JSON.stringify(v)})`}`)
    .join(",\n");
  await page.addInitScript(`
    window.__STUDIO_IMAGE_BASE__ = ${JSON.stringify(baseUrl + "/studio")};
    window.__IPC_CALLS__ = [];
    const handlers = {${source}};
    let nextId = 1;
    const callbacks = new Map();
    window.__TAURI_INTERNALS__ = {
      metadata: { currentWindow: { label: "main" }, currentWebview: { windowLabel: "main", label: "main" } },
      transformCallback(cb, once) { const id = nextId++; callbacks.set(id, cb); window["_" + id] = cb; return id; },
      unregisterCallback(id) { callbacks.delete(id); },
      async invoke(cmd, args) {
        window.__IPC_CALLS__.push({ cmd, args });
        if (cmd.startsWith("plugin:event|")) return 0;
        const h = handlers[cmd];
        if (!h) throw { kind: "unknown", message: "no mock for " + cmd };
        return await h(args);
      },
      convertFileSrc(p) { return p; },
    };
    window.__emitMock = (event, payload) => { for (const cb of callbacks.values()) cb({ event, payload, id: 0 }); };
  `);
  await page.goto(baseUrl + "/");
  return { page, context, errors };
}

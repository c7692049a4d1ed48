// A small W3C WebDriver client over fetch, enough to drive the real app window through tauri-driver
// (which hands the session to WebKitWebDriver). No browser download, no extra packages.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const ELEMENT = "element-6066-11e4-a52e-4f735466cecf";
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function startDriver({ port = 4444, env = {} } = {}) {
  const native = fs.existsSync("/usr/bin/WebKitWebDriver") ? "/usr/bin/WebKitWebDriver" : "WebKitWebDriver";
  // The driver's output goes to a log file, not to our pipes: the app it starts inherits them, and an app
  // that outlives its session would otherwise hold the test runner's pipe open and hang the run.
  const log = fs.openSync(path.join(os.tmpdir(), `banana-tauri-driver-${port}.log`), "a");
  const child = spawn("tauri-driver", ["--port", String(port), "--native-driver", native], {
    env: { ...process.env, ...env },
    stdio: ["ignore", log, log],
    // Its own process group, so stop() ends WebKitWebDriver and any app it started along with it.
    detached: true,
  });
  const stop = () => { try { process.kill(-child.pid, "SIGTERM"); } catch { child.kill("SIGTERM"); } };
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try {
      const r = await fetch(`${base}/status`);
      if (r.ok) return { base, stop, child };
    } catch { /* not up yet */ }
    await sleep(100);
  }
  stop();
  throw new Error("tauri-driver did not start on port " + port);
}

async function call(base, method, path, body) {
  const r = await fetch(base + path, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(json.value ?? json)}`);
  return json.value;
}

export class Session {
  static async create(base, application) {
    const value = await call(base, "POST", "/session", {
      capabilities: { alwaysMatch: { "tauri:options": { application } } },
    });
    const s = new Session(base, value.sessionId);
    await s.call("POST", "/timeouts", { implicit: 0, script: 60000 });
    return s;
  }
  constructor(base, id) { this.base = base; this.id = id; }
  call(method, path, body) { return call(this.base, method, `/session/${this.id}${path}`, body); }
  async find(css) {
    const v = await this.call("POST", "/element", { using: "css selector", value: css });
    return v[ELEMENT];
  }
  async click(css) {
    const el = await this.find(css);
    // Bring it into view inside scrolled panels first, as a person would scroll to it.
    await this.exec(`arguments[0].scrollIntoView({ block: "center" })`, [{ "element-6066-11e4-a52e-4f735466cecf": el }]);
    await this.call("POST", `/element/${el}/click`, {});
  }
  async text(css) { return this.call("GET", `/element/${await this.find(css)}/text`); }
  async type(css, text) { await this.call("POST", `/element/${await this.find(css)}/value`, { text }); }
  exec(script, args = []) { return this.call("POST", "/execute/sync", { script, args }); }
  execAsync(script, args = []) { return this.call("POST", "/execute/async", { script, args }); }
  /** Polls `fn` (a JS expression body returning a value) until it is truthy. */
  async waitFor(expr, { timeout = 20000, what = expr } = {}) {
    const end = Date.now() + timeout;
    let last;
    while (Date.now() < end) {
      last = await this.exec(`return (function(){ ${expr} })()`);
      if (last) return last;
      await sleep(150);
    }
    throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(last)})`);
  }
  async screenshot(file) {
    const b64 = await this.call("GET", "/screenshot");
    fs.writeFileSync(file, Buffer.from(b64, "base64"));
  }
  async close() { await this.call("DELETE", "").catch(() => {}); }
}

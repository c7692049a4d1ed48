// Shared test data: the model catalogue (catalogue.mjs, a copy of the backend's data file), app info, tiny PNGs
// made with node:zlib, and the screenshot comparison against committed baselines.
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { PNG } from "pngjs";
import pixelmatch from "pixelmatch";
import { repoRoot, uiRoot } from "./harness.mjs";
import { liveCatalogue } from "./catalogue.mjs";

export const demoInfo = { name: "Banana Studio", version: "0.1.0", data_dir: "/home/ann/.local/share/studio.banana.desktop", mode: "demo", api_base_url: "http://127.0.0.1:4321", has_api_key: false, key_source: "none", key_storage: "file" };
export const liveInfo = { ...demoInfo, mode: "live", api_base_url: "https://generativelanguage.googleapis.com", has_api_key: true, key_source: "keychain", key_storage: "keychain" };

/** What the mock backend's `catalogue()` answers by default: today's models, 2.5 closed to the key. */
export const catalogue = liveCatalogue();
/** The models of that catalogue, in the picker's order. */
export const capabilities = catalogue.models;
/** What every page needs in `window.__FIX__`. */
export const defaultFixtures = { catalogue };

// --- PNG encoding (RGB, 8 bit) with node:zlib -------------------------------------------------------------
const crcTable = Array.from({ length: 256 }, (_, n) => { let c = n; for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1; return c >>> 0; });
function crc32(buf) { let c = 0xffffffff; for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8); return (c ^ 0xffffffff) >>> 0; }
function chunk(type, data) {
  const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type), data]);
  const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
/** A w×h PNG whose pixel at (x, y) is `color(x, y)` = [r, g, b]. */
export function makePng(w, h, color) {
  const raw = Buffer.alloc((w * 3 + 1) * h);
  for (let y = 0; y < h; y++) {
    raw[y * (w * 3 + 1)] = 0;
    for (let x = 0; x < w; x++) { const [r, g, b] = color(x, y); const o = y * (w * 3 + 1) + 1 + x * 3; raw[o] = r; raw[o + 1] = g; raw[o + 2] = b; }
  }
  const ihdr = Buffer.alloc(13); ihdr.writeUInt32BE(w, 0); ihdr.writeUInt32BE(h, 4); ihdr[8] = 8; ihdr[9] = 2;
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk("IHDR", ihdr), chunk("IDAT", zlib.deflateSync(raw)), chunk("IEND", Buffer.alloc(0))]);
}

function hash(s) { let x = 2166136261; for (const c of s) x = Math.imul(x ^ c.charCodeAt(0), 16777619); return x >>> 0; }
/** A deterministic colourful picture for any id: a gradient with a sun, different per id. */
export function pictureFor(id, w = 256, h = 256) {
  const seed = hash(id);
  const hue = [seed & 255, (seed >> 8) & 255, (seed >> 16) & 255];
  const cx = 60 + (seed % 140), cy = 60 + ((seed >> 5) % 120);
  return makePng(w, h, (x, y) => {
    const d = Math.hypot(x - cx, y - cy);
    if (d < 36) return [255, 214, 60];
    const t = y / h;
    return [Math.round(hue[0] * (1 - t) + 40 * t), Math.round(hue[1] * (1 - t) + 60 * t), Math.round(hue[2] * (1 - t) + 120 * t)];
  });
}
const cache = new Map();
/** The image callback for `serve`: every kind/id gets its own picture (cached). */
export function images(kind, id) {
  const key = `${kind}/${id}`;
  if (!cache.has(key)) cache.set(key, pictureFor(key, kind === "image" ? 512 : 192, kind === "image" ? 384 : 192));
  return cache.get(key);
}

// --- Screenshots ----------------------------------------------------------------------------------------
const shotsDir = path.join(repoRoot, "docs/screenshots");
const baseDir = path.join(uiRoot, "tests/ui/baselines");

/**
 * Saves docs/screenshots/ui-{name}.png and compares it with tests/ui/baselines/ui-{name}.png (small
 * tolerance for antialiasing). A missing baseline is written when UPDATE_BASELINES=1, otherwise it fails.
 */
export async function shot(page, name, { maxDiffRatio = 0.004 } = {}) {
  fs.mkdirSync(shotsDir, { recursive: true });
  fs.mkdirSync(baseDir, { recursive: true });
  await page.evaluate(() => document.fonts?.ready);
  const buf = await page.screenshot({ animations: "disabled", caret: "hide" });
  const file = `ui-${name}.png`;
  fs.writeFileSync(path.join(shotsDir, file), buf);
  const basePath = path.join(baseDir, file);
  if (process.env.UPDATE_BASELINES === "1") { fs.writeFileSync(basePath, buf); return; }
  if (!fs.existsSync(basePath)) throw new Error(`no baseline ${file}: run with UPDATE_BASELINES=1 to create it`);
  const a = PNG.sync.read(fs.readFileSync(basePath));
  const b = PNG.sync.read(buf);
  if (a.width !== b.width || a.height !== b.height) throw new Error(`${file}: size ${b.width}x${b.height} differs from baseline ${a.width}x${a.height}`);
  const diff = new PNG({ width: a.width, height: a.height });
  const n = pixelmatch(a.data, b.data, diff.data, a.width, a.height, { threshold: 0.1 });
  const ratio = n / (a.width * a.height);
  if (ratio > maxDiffRatio) {
    const out = path.join(baseDir, `../diff-${file}`);
    fs.writeFileSync(out, PNG.sync.write(diff));
    throw new Error(`${file}: ${(ratio * 100).toFixed(2)}% pixels differ from the baseline (diff in ${out})`);
  }
}

/**
 * Handlers every screen needs. The catalogue is `__FIX__.catalogue` until a refresh answers
 * (`__FIX__.background` for the start-up one, `__FIX__.forced` for Refresh; a value with `error` fails), and
 * the answer is kept in `window.__cat` as the backend keeps its cache; a test may set `window.__cat` itself.
 */
export function baseHandlers(extra = {}) {
  return {
    app_info: demoInfo,
    catalogue: () => window.__cat ?? window.__FIX__.catalogue,
    capabilities: () => (window.__cat ?? window.__FIX__.catalogue).models,
    refresh_catalogue: async (a) => {
      await window.__sleep(window.__FIX__.refreshDelay ?? 0);
      const next = (a.force ? window.__FIX__.forced : window.__FIX__.background) ?? window.__cat ?? window.__FIX__.catalogue;
      if (next.error) throw next.error;
      window.__cat = next;
      return next;
    },
    estimate_cost: (a) => {
      const caps = (window.__cat ?? window.__FIX__.catalogue).models;
      const p = a.params; const cap = caps.find((c) => c.id === p.model) ?? caps[0];
      const o = cap.outputs.find((x) => x.aspect_ratio === (p.aspect_ratio ?? "1:1") && (x.image_size ?? null) === (p.image_size ?? null)) ?? cap.outputs[0];
      const n = p.count ?? 1;
      return { model: cap.id, images: n, tokens_per_image: o.tokens, output_tokens: n * o.tokens, reference_tokens: a.referenceCount * 560, price: null, note: "Thought and prompt tokens come on top." };
    },
    gallery_list: { items: [], total: 0 },
    ...extra,
  };
}

/** Opens the app with the base handlers plus `extra`, the catalogue as `__FIX__.catalogue`. */
export async function openStudio(browser, server, extra = {}, opts = {}) {
  const r = await (await import("./harness.mjs")).openApp(browser, server.url, baseHandlers(extra), { ...opts, fixtures: { ...defaultFixtures, ...(opts.fixtures ?? {}) } });
  await r.page.waitForSelector("#output-info");
  return r;
}

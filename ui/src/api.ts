// The one place the UI talks to the Rust side. Commands come from the generated bindings; image bytes never
// travel through them, only through `studio://` URLs built here (and one raw-body upload for pasted images).
import { invoke } from "@tauri-apps/api/core";
import { commands } from "./bindings";
import type { CommandError, ReferenceInfo } from "./bindings";
export type {
  AppInfo, CommandError, ModelCapabilities, OutputFormat, GenerateParams, GenerateRequest, GenerationEvent,
  GenerationResult, CostEstimate, ReferenceInfo, ReferenceImport, GalleryQuery, GalleryPage, ImageSummary,
  ImageDetail, ChatDetail, ChatSummary, TurnView, KeyCheckResult, Value, SearchType, Catalogue, CatalogueSource,
  RetiredModel, ModelStatus, Availability, RebuildReport,
} from "./bindings";
export { Channel } from "@tauri-apps/api/core";

export { commands };

/** True inside the Tauri window (false in a plain browser, where tests mock IPC). */
export function inTauri(): boolean {
  return typeof window !== "undefined" && "__TAURI_INTERNALS__" in window;
}

export type ImageKind = "image" | "thumb" | "ref" | "thought" | "demo";

/**
 * The URL of an image served by the app's `studio://` scheme. WebKitGTK and WKWebView use the scheme as is;
 * WebView2 on Windows spells custom schemes `http://<scheme>.localhost/`.
 */
export function imageUrl(kind: ImageKind, id: string, platform: string = navigator.userAgent): string {
  const safe = encodeURIComponent(id);
  // Browser tests (IPC mocked, no custom scheme) serve the same paths over http.
  const override = (globalThis as { __STUDIO_IMAGE_BASE__?: string }).__STUDIO_IMAGE_BASE__;
  if (override) return `${override}/${kind}/${safe}`;
  return /Windows/i.test(platform) ? `http://studio.localhost/${kind}/${safe}` : `studio://${kind}/${safe}`;
}

/** How often an image the app serves is asked for again after it failed to load. */
export const IMAGE_RETRIES = 4;

/**
 * The address to ask again for an app-served image that failed to load, or null (not ours, or retried
 * enough). The scheme answers 503 when its queue is full (a fast fling through the gallery) and an <img>
 * never retries by itself; a changed query makes the webview ask anew (the scheme ignores the query).
 */
export function retryImageUrl(src: string): string | null {
  const m = /^(studio:\/\/|http:\/\/studio\.localhost\/)([^?#]*)(?:\?retry=(\d+))?$/.exec(src);
  if (!m) return null;
  const attempt = Number(m[3] ?? 0) + 1;
  return attempt > IMAGE_RETRIES ? null : `${m[1]}${m[2]}?retry=${attempt}`;
}

/** Asks again, with a growing pause, for app-served images anywhere in `root` that fail to load. */
export function retryFailedImages(root: Document = document): void {
  root.addEventListener("error", (e) => {
    const img = e.target;
    if (!(img instanceof HTMLImageElement)) return;
    const next = retryImageUrl(img.src);
    if (!next) return;
    const attempt = Number(/retry=(\d+)$/.exec(next)?.[1] ?? 1);
    const failed = img.src;
    // Only if nothing else changed the image meanwhile (a reused gallery tile shows another image now).
    setTimeout(() => { if (img.src === failed) img.src = next; }, 250 * 2 ** (attempt - 1));
  }, true);
}

/** A header value must be ISO-8859-1: names outside printable ASCII are percent-encoded. */
export function headerSafeName(name: string): string {
  const trimmed = name.slice(0, 200);
  return /^[\x20-\x7e]*$/.test(trimmed) ? trimmed : encodeURIComponent(trimmed);
}

/** Imports one image from raw bytes (paste, <input type=file>, images dragged from other apps). */
export async function importReferenceBytes(bytes: ArrayBuffer | Uint8Array, name: string): Promise<
  { status: "ok"; data: ReferenceInfo } | { status: "error"; error: CommandError }
> {
  try {
    const data = await invoke<ReferenceInfo>("import_reference_bytes", bytes, { headers: { "x-file-name": headerSafeName(name) } });
    return { status: "ok", data };
  } catch (e) {
    return { status: "error", error: asCommandError(e) };
  }
}

/** Whatever a rejected IPC call threw, as `{kind, message}`. */
export function asCommandError(e: unknown): CommandError {
  if (e && typeof e === "object" && "message" in e) {
    const o = e as { kind?: unknown; message?: unknown };
    return { kind: typeof o.kind === "string" ? o.kind : "ipc", message: String(o.message) };
  }
  return { kind: "ipc", message: String(e) };
}

/** Runs a command whose promise may reject (untyped commands) and folds it into the result shape. */
export async function safe<T>(p: Promise<T>): Promise<{ status: "ok"; data: T } | { status: "error"; error: CommandError }> {
  try {
    return { status: "ok", data: await p };
  } catch (e) {
    return { status: "error", error: asCommandError(e) };
  }
}

/** Like `safe`, for the typed commands (which already return the result shape but may still reject). */
export async function call<T>(
  p: Promise<{ status: "ok"; data: T } | { status: "error"; error: CommandError }>,
): Promise<{ status: "ok"; data: T } | { status: "error"; error: CommandError }> {
  try {
    return await p;
  } catch (e) {
    return { status: "error", error: asCommandError(e) };
  }
}

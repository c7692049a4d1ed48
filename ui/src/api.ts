// The one place the UI talks to the Rust side. Commands come from the generated bindings; image bytes never
// travel through them, only through `studio://` URLs built here.
import { commands } from "./bindings";
export type { AppInfo, CommandError } from "./bindings";

export { commands };

/** True inside the Tauri window (false in a plain browser, where tests mock IPC). */
export function inTauri(): boolean {
  return typeof window !== "undefined" && "__TAURI_INTERNALS__" in window;
}

export type ImageKind = "image" | "thumb" | "ref" | "demo";

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

//! The grounding attribution panel, following Google's display rules: the Search suggestions chip exactly as
//! returned (a sandboxed iframe: no scripts, no same-origin, no IPC), a click on it opening the search in the
//! system browser; web sources as links (title + domain); each image-search source image shown with one click
//! leading straight to the page that contains it; the queries listed.
import { call, commands } from "./api";
import { h, toast } from "./dom";
import { searchUrl, type Grounding } from "./grounding-logic";

export async function openLink(url: string) {
  const r = await call(commands.openExternal(url));
  if (r.status === "error") toast(`Could not open the browser: ${r.error.message}`, "error");
}

/** A recognisable link that opens in the system browser (the webview itself never navigates). */
function extLink(url: string, cls: string, ...children: (Node | string)[]): HTMLAnchorElement {
  const a = h("a", { class: cls, attrs: { href: url, rel: "noopener noreferrer", target: "_blank", title: url } }, ...children);
  a.addEventListener("click", (e) => {
    e.preventDefault();
    void openLink(url);
  });
  return a;
}

export function renderGrounding(g: Grounding): HTMLElement {
  const panel = h("aside", { class: "grounding", attrs: { "aria-label": "Google Search grounding sources" } },
    h("h3", { text: "Grounded with Google Search" }));
  const firstQuery = g.webQueries[0] ?? g.imageQueries[0] ?? "";
  if (g.entryPointHtml) {
    const frame = h("iframe", { class: "search-chip", attrs: { sandbox: "", title: "Google Search suggestions", referrerpolicy: "no-referrer", loading: "lazy" } });
    // The chip's HTML goes in untouched, into an iframe that can run nothing and reach nothing.
    frame.srcdoc = g.entryPointHtml;
    const wrap = h("div", { class: "chip-wrap" }, frame);
    if (firstQuery) {
      // A sandboxed frame cannot navigate; a transparent button over it opens the search in the browser.
      const target = searchUrl(firstQuery, !g.webQueries.length);
      const overlay = h("button", { class: "chip-overlay", attrs: { type: "button", "aria-label": `Open the Google Search for “${firstQuery}” in your browser`, title: `Search Google for “${firstQuery}”` } });
      overlay.addEventListener("click", () => void openLink(target));
      wrap.append(overlay);
    }
    panel.append(wrap);
  }
  if (firstQuery) {
    panel.append(extLink(searchUrl(firstQuery, !g.webQueries.length), "search-link", "Open in Google Search ↗"));
  }
  if (g.web.length) {
    panel.append(h("h4", { text: "Web sources" }), h("ol", { class: "sources" }, ...g.web.map((s) =>
      h("li", {}, extLink(s.uri, "source-link", h("span", { class: "source-title", text: s.title }), h("span", { class: "source-domain", text: s.domain }))))));
  }
  if (g.images.length) {
    panel.append(h("h4", { text: "Image sources" }), h("ul", { class: "image-sources" }, ...g.images.map((s) => {
      const img = s.imageUri ? h("img", { attrs: { src: s.imageUri, alt: s.title, loading: "lazy", referrerpolicy: "no-referrer" } }) : null;
      img?.addEventListener("error", () => img.replaceWith(h("span", { class: "img-missing", text: s.domain })));
      return h("li", {}, extLink(s.sourceUri, "image-source", img ?? h("span", { class: "img-missing", text: s.domain }),
        h("span", { class: "source-title", text: s.title }), h("span", { class: "source-domain", text: s.domain })));
    })));
  }
  const queries = [...g.webQueries.map((q) => [q, false] as const), ...g.imageQueries.map((q) => [q, true] as const)];
  if (queries.length) {
    panel.append(h("h4", { text: "Searches" }), h("ul", { class: "queries" }, ...queries.map(([q, img]) =>
      h("li", {}, extLink(searchUrl(q, img), "query-link", `${img ? "Images: " : ""}${q}`)))));
  }
  return panel;
}

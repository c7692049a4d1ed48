//! Google Search grounding metadata as the panel shows it: the entry-point chip's HTML (left unmodified),
//! web sources, image sources (the page that contains each image, for attribution) and the queries.
import type { Value } from "./api";

export interface WebSource { uri: string; title: string; domain: string }
export interface ImageSource { sourceUri: string; imageUri: string; title: string; domain: string }
export interface Grounding {
  /** `searchEntryPoint.renderedContent`, exactly as returned. */
  entryPointHtml: string | null;
  web: WebSource[];
  images: ImageSource[];
  webQueries: string[];
  imageQueries: string[];
}

type Obj = { [k: string]: Value };
const obj = (v: Value | undefined): Obj | null => (v && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : null);
const str = (v: Value | undefined): string => (typeof v === "string" ? v : "");
const strs = (v: Value | undefined): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string" && x.trim() !== "") : []);

/** Only http(s) links may be opened. */
export function isHttpUrl(u: string): boolean {
  try {
    const url = new URL(u);
    return url.protocol === "https:" || url.protocol === "http:";
  } catch {
    return false;
  }
}

export function domainOf(u: string, given = ""): string {
  if (given) return given;
  try {
    return new URL(u).hostname.replace(/^www\./, "");
  } catch {
    return "";
  }
}

export function parseGrounding(value: Value | null | undefined): Grounding | null {
  const g = obj(value ?? undefined);
  if (!g) return null;
  const entry = obj(g.searchEntryPoint);
  const html = entry ? str(entry.renderedContent) : "";
  const web: WebSource[] = [];
  const images: ImageSource[] = [];
  for (const chunk of Array.isArray(g.groundingChunks) ? g.groundingChunks : []) {
    const c = obj(chunk);
    if (!c) continue;
    const w = obj(c.web);
    if (w && isHttpUrl(str(w.uri))) {
      web.push({ uri: str(w.uri), title: str(w.title) || domainOf(str(w.uri), str(w.domain)), domain: domainOf(str(w.uri), str(w.domain)) });
    }
    const i = obj(c.image);
    if (i) {
      const page = str(i.sourceUri) || str(i.uri);
      if (!isHttpUrl(page)) continue;
      images.push({
        sourceUri: page,
        imageUri: isHttpUrl(str(i.imageUri)) ? str(i.imageUri) : "",
        title: str(i.title) || domainOf(page, str(i.domain)),
        domain: domainOf(page, str(i.domain)),
      });
    }
  }
  const out: Grounding = {
    entryPointHtml: html || null,
    web,
    images,
    webQueries: strs(g.webSearchQueries),
    imageQueries: strs(g.imageSearchQueries),
  };
  if (!out.entryPointHtml && !web.length && !images.length && !out.webQueries.length && !out.imageQueries.length) return null;
  return out;
}

/** The Google Search page for a query (what the chip leads to), for the system browser. */
export function searchUrl(query: string, images = false): string {
  return `https://www.google.com/search?q=${encodeURIComponent(query)}${images ? "&udm=2" : ""}`;
}

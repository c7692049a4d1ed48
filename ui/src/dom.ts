//! DOM helpers: build elements with text only (never innerHTML), find by id, announce messages.

type Child = Node | string | null | undefined | false;
type Props = {
  class?: string;
  text?: string;
  title?: string;
  attrs?: Record<string, string | number | boolean | null | undefined>;
  dataset?: Record<string, string>;
  on?: { [K in keyof HTMLElementEventMap]?: (e: HTMLElementEventMap[K]) => void };
};

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props.class) el.className = props.class;
  if (props.text !== undefined) el.textContent = props.text;
  if (props.title) el.title = props.title;
  for (const [k, v] of Object.entries(props.attrs ?? {})) {
    if (v === null || v === undefined || v === false) continue;
    el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const [k, v] of Object.entries(props.dataset ?? {})) el.dataset[k] = v;
  for (const [k, fn] of Object.entries(props.on ?? {})) el.addEventListener(k, fn as EventListener);
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(c);
  return el;
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`missing #${id}`);
  return el as T;
}

export function button(text: string, onClick: (e: MouseEvent) => void, props: Props = {}): HTMLButtonElement {
  const b = h("button", { ...props, text, attrs: { type: "button", ...(props.attrs ?? {}) } });
  b.addEventListener("click", onClick);
  return b;
}

/** A small icon-like button with an accessible label. */
export function iconButton(glyph: string, label: string, onClick: (e: MouseEvent) => void, cls = "icon-btn"): HTMLButtonElement {
  const b = button(glyph, onClick, { class: cls, title: label, attrs: { "aria-label": label } });
  return b;
}

let toastTimer: number | undefined;
/** A transient message at the bottom of the window (also read by screen readers). */
export function toast(message: string, tone: "info" | "error" = "info"): void {
  const el = byId("toast");
  el.textContent = message;
  el.className = `toast ${tone}`;
  el.hidden = false;
  window.clearTimeout(toastTimer);
  toastTimer = window.setTimeout(() => (el.hidden = true), 5000);
}

/** Replaces an element's children, skipping empty slots. */
export function fill(el: HTMLElement, ...children: Child[]): void {
  el.replaceChildren(...children.filter((c): c is Node | string => c !== null && c !== undefined && c !== false));
}

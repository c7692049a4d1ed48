//! A tiny Markdown subset for model text (thought summaries use **bold** headings): paragraphs, headings,
//! lists, code, **bold**, *italic*, `code`. It builds DOM nodes with textContent only; no HTML from the
//! model is ever parsed, so nothing it writes can become markup, a link or a script.

export type Inline = { t: "text" | "strong" | "em" | "code"; v: string };
export type Block =
  | { t: "p"; inl: Inline[] }
  | { t: "h"; level: number; inl: Inline[] }
  | { t: "ul" | "ol"; items: Inline[][] }
  | { t: "pre"; v: string };

export function parseInline(s: string): Inline[] {
  const out: Inline[] = [];
  const re = /(\*\*([^*]+)\*\*|__([^_]+)__|`([^`]+)`|\*([^*\s][^*]*)\*|_([^_\s][^_]*)_)/g;
  let last = 0;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    if (m.index > last) out.push({ t: "text", v: s.slice(last, m.index) });
    if (m[2] ?? m[3]) out.push({ t: "strong", v: (m[2] ?? m[3])! });
    else if (m[4]) out.push({ t: "code", v: m[4] });
    else out.push({ t: "em", v: (m[5] ?? m[6])! });
    last = m.index + m[0].length;
  }
  if (last < s.length) out.push({ t: "text", v: s.slice(last) });
  return out;
}

export function parseMarkdown(src: string): Block[] {
  const lines = src.replace(/\r\n?/g, "\n").split("\n");
  const blocks: Block[] = [];
  let para: string[] = [];
  const flush = () => {
    if (para.length) blocks.push({ t: "p", inl: parseInline(para.join(" ")) });
    para = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (/^```/.test(line)) {
      flush();
      const code: string[] = [];
      for (i++; i < lines.length && !/^```/.test(lines[i]); i++) code.push(lines[i]);
      blocks.push({ t: "pre", v: code.join("\n") });
      continue;
    }
    const h = /^(#{1,6})\s+(.*)$/.exec(line);
    if (h) {
      flush();
      blocks.push({ t: "h", level: Math.min(6, h[1].length), inl: parseInline(h[2]) });
      continue;
    }
    const li = /^\s*([-*+]|\d+[.)])\s+(.*)$/.exec(line);
    if (li) {
      flush();
      const kind = /\d/.test(li[1]) ? "ol" : "ul";
      const prev = blocks[blocks.length - 1];
      if (prev && prev.t === kind) prev.items.push(parseInline(li[2]));
      else blocks.push({ t: kind, items: [parseInline(li[2])] });
      continue;
    }
    if (!line.trim()) flush();
    else para.push(line.trim());
  }
  flush();
  return blocks;
}

function inlineNodes(inl: Inline[]): Node[] {
  return inl.map((x) => {
    if (x.t === "text") return document.createTextNode(x.v);
    const el = document.createElement(x.t);
    el.textContent = x.v;
    return el;
  });
}

/** Renders model text into `target` (replacing its content). */
export function renderMarkdown(target: HTMLElement, src: string): void {
  const nodes: Node[] = [];
  for (const b of parseMarkdown(src)) {
    if (b.t === "p") {
      const p = document.createElement("p");
      p.append(...inlineNodes(b.inl));
      nodes.push(p);
    } else if (b.t === "h") {
      const h = document.createElement(`h${Math.min(6, b.level + 3)}`);
      h.append(...inlineNodes(b.inl));
      nodes.push(h);
    } else if (b.t === "pre") {
      const pre = document.createElement("pre");
      pre.textContent = b.v;
      nodes.push(pre);
    } else {
      const list = document.createElement(b.t);
      for (const item of b.items) {
        const li = document.createElement("li");
        li.append(...inlineNodes(item));
        list.append(li);
      }
      nodes.push(list);
    }
  }
  target.replaceChildren(...nodes);
}

//! Settings and first run: the API key (checked against the API, then stored), where it comes from, how
//! it is kept, the model catalogue (where the list comes from, when it was read, what this key can use, and a
//! Refresh button), and the facts about this installation. The key itself never comes back to the window.
import { call, commands, type AppInfo, type Catalogue } from "./api";
import { button, byId, h, fill } from "./dom";
import { formatWhen } from "./format";
import { modeLabel } from "./mode";
import { openLink } from "./grounding";
import { catalogueCounts, isUsable, modelName, modelNotes, stateBadge } from "./params-logic";
import { applyCatalogue, emit, on, state } from "./store";

export function keySourceText(info: AppInfo): string {
  switch (info.key_source) {
    case "environment":
      return "Set, from the GEMINI_API_KEY environment variable (it wins over a stored key).";
    case "keychain":
      return "Set, stored in the system keychain (Secret Service).";
    case "file":
      return "Set, stored in a private file in the data folder (readable only by you): no system keychain was running when it was saved.";
    default:
      return "Not set: the app runs its offline demo.";
  }
}

/** Where a key saved now goes, in the words the help line uses. */
export function keyStorageText(info: AppInfo): string {
  return info.key_storage === "keychain"
    ? "kept in the system keychain (Secret Service)"
    : "kept in a private file in the data folder (permissions 0600), because no system keychain (Secret Service) is running";
}

const STATUS_WORDS: Record<string, string> = { valid: "Valid", invalid: "Invalid", unreachable: "Unreachable" };

function renderKey(info: AppInfo, reload: () => Promise<void>) {
  const section = byId("key-section");
  const input = h("input", { attrs: { id: "api-key", type: "password", autocomplete: "off", spellcheck: "false", placeholder: "Paste a Gemini API key (AIza…)", "aria-describedby": "key-help" } });
  // The last check's answer survives the re-render that follows a saved key.
  const result = document.getElementById("key-result") ?? h("div", { class: "key-result", attrs: { id: "key-result", role: "status", "aria-live": "polite" } });
  const save = h("button", { class: "primary", text: "Check and save", attrs: { type: "submit", id: "save-key" } });
  const form = h("form", { class: "key-form", attrs: { id: "key-form" } },
    h("label", { class: "label", text: "Gemini API key", attrs: { for: "api-key" } }),
    h("div", { class: "row" }, input, save));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const key = input.value.trim();
    if (!key) { result.className = "key-result invalid"; result.textContent = "Paste a key first."; return; }
    save.disabled = true;
    result.className = "key-result";
    result.textContent = "Checking the key with the Gemini API…";
    const r = await call(commands.setApiKey(key));
    save.disabled = false;
    input.value = "";
    if (r.status === "error") {
      result.className = "key-result invalid";
      result.textContent = `Not saved: ${r.error.message}`;
      return;
    }
    const s = r.data.status;
    result.className = `key-result ${s}`;
    result.replaceChildren(h("strong", { text: `${STATUS_WORDS[s] ?? s}: ` }), h("span", {
      text: s === "valid" ? `${r.data.message} The app now uses the Gemini API.`
        : s === "invalid" ? `${r.data.message} The key was not saved.`
        : `${r.data.message} The key was not saved; check the connection and try again.`,
    }));
    if (s === "valid") await reload();
  });
  const source = h("p", { class: "key-source", attrs: { id: "key-source" }, text: keySourceText(info) });
  const clear = info.key_source === "file" || info.key_source === "keychain" ? button("Remove the stored key", async () => {
    const r = await call(commands.clearApiKey());
    if (r.status === "error") { result.className = "key-result invalid"; result.textContent = r.error.message; return; }
    result.className = "key-result";
    result.textContent = "The stored key was removed.";
    await reload();
  }, { class: "secondary", attrs: { id: "clear-key" } }) : null;
  const envNote = info.key_source === "environment" ? h("p", { class: "muted small", text: "A stored key is ignored while GEMINI_API_KEY is set. Unset it to use a key saved here, or the offline demo." }) : null;
  fill(section,
    h("h3", { class: "subhead", text: "API key" }),
    source,
    form,
    result,
    clear,
    envNote,
    h("p", { class: "muted small", attrs: { id: "key-help" } },
      `The key is checked with Google before it is saved, ${keyStorageText(info)}, and never shown again. `,
      (() => { const a = h("a", { text: "Get a key from Google AI Studio", attrs: { href: "https://aistudio.google.com/apikey" } }); a.addEventListener("click", (e) => { e.preventDefault(); void openLink("https://aistudio.google.com/apikey"); }); return a; })(),
      "."),
  );
}

export function renderSettings(info: AppInfo, reload: () => Promise<void>) {
  renderKey(info, reload);
  const label = modeLabel(info);
  const facts = byId("app-info");
  const rows: [string, string][] = [
    ["Version", info.version],
    ["Mode", label.text],
    ["API", info.api_base_url],
    ["API key", info.has_api_key ? ({ environment: "Set (from GEMINI_API_KEY)", keychain: "Set (system keychain)", file: "Set (private file)", none: "Set" }[info.key_source]) : "Not set"],
    ["Key storage", info.key_storage === "keychain" ? "System keychain (Secret Service)" : "Private 0600 file (no system keychain running)"],
    ["Data folder", info.data_dir],
  ];
  facts.replaceChildren(...rows.flatMap(([k, v]) => [h("dt", { text: k }), h("dd", { text: v, dataset: { fact: k } })]));
  emit("info-changed");
}

/** Where the catalogue's list came from, in words for the facts. */
export function sourceText(c: Pick<Catalogue, "source">): string {
  return c.source === "live" ? "Google's models.list for this key" : "The list bundled with this version (not checked with Google)";
}

/** "4 available · 1 unavailable · 1 new · 2 retired ids" (zero counts other than available are left out). */
export function countsText(c: Pick<Catalogue, "models" | "retired">): string {
  const n = catalogueCounts(c.models, c.retired);
  const parts = [`${n.available} available`];
  if (n.unavailable) parts.push(`${n.unavailable} unavailable`);
  if (n.new) parts.push(`${n.new} new`);
  if (n.retired) parts.push(`${n.retired} retired id${n.retired === 1 ? "" : "s"}`);
  return parts.join(" · ");
}

function modelsStatus(): HTMLElement {
  // The last refresh's answer survives the re-render the new catalogue causes.
  return document.getElementById("models-result") ?? h("span", { class: "models-result muted small", attrs: { id: "models-result", role: "status", "aria-live": "polite" } });
}

function renderModels() {
  const section = byId("models-section");
  const c = state.catalogue;
  const status = modelsStatus();
  const refresh = button("Refresh model list", () => void refreshModels(true), { class: "secondary small-btn", attrs: { id: "refresh-models" } });
  if (!c) {
    fill(section, h("h3", { class: "subhead", text: "Models" }), h("p", { class: "muted", text: "The model list could not be read." }), h("div", { class: "row" }, refresh, status));
    return;
  }
  const facts: [string, string][] = [
    ["Source", sourceText(c)],
    ["Last checked", c.fetched_at ? formatWhen(c.fetched_at) : "Not yet"],
    ["Model data", `${c.data_as_of} (format ${c.data_version})`],
    ["Models", countsText(c)],
  ];
  const models = c.models.map((m) => {
    const badge = stateBadge(m);
    const notes = modelNotes(m, c.models);
    return h("li", { class: `model-row ${isUsable(m) ? "" : "closed"}`, dataset: { model: m.id } },
      h("div", { class: "model-row-head" },
        h("strong", { text: m.name }),
        h("code", { text: m.id }),
        h("span", { class: `state-badge ${badge.tone}`, text: badge.text })),
      notes.length ? h("p", { class: "muted small", text: notes.join(" ") }) : null);
  });
  const retired = c.retired.map((r) => h("li", { class: "model-row retired", dataset: { model: r.id } },
    h("div", { class: "model-row-head" },
      h("span", { class: "muted", text: r.name }),
      h("code", { text: r.id }),
      h("span", { class: "state-badge muted", text: "Retired" })),
    h("p", { class: "muted small", text: `Retired${r.retired_on ? ` on ${r.retired_on}` : ""}; saved drafts, reused parameters and chats move to ${modelName(r.successor, c.models, c.retired)}.` })));
  fill(section,
    h("h3", { class: "subhead", text: "Models" }),
    h("p", { class: "key-source", text: c.note, attrs: { id: "models-note" } }),
    h("dl", { class: "facts", attrs: { id: "models-facts" } }, ...facts.flatMap(([k, v]) => [h("dt", { text: k }), h("dd", { text: v, dataset: { modelFact: k } })])),
    h("ul", { class: "model-list", attrs: { id: "models-list", "aria-label": "Models and their state" } }, ...models, ...retired),
    h("div", { class: "row" }, refresh, status),
  );
}

let refreshSeq = 0;
/**
 * Reads the model list again: in the background at start-up (`force` false: only when the cached answer is a
 * day old), and with `force` from the Refresh button and after the key changed. A new list updates the
 * picker and this section; a failure keeps the list shown and, when asked for, says why.
 */
export async function refreshModels(force: boolean): Promise<void> {
  const seq = ++refreshSeq;
  const status = () => document.getElementById("models-result");
  const btn = () => document.getElementById("refresh-models") as HTMLButtonElement | null;
  if (force) {
    const s = status();
    if (s) s.textContent = "Reading the model list from Google…";
    btn()?.setAttribute("disabled", "");
  }
  const r = await call(commands.refreshCatalogue(force));
  if (seq !== refreshSeq) return;
  btn()?.removeAttribute("disabled");
  if (r.status === "error") {
    const s = status();
    if (force && s) s.textContent = `Could not refresh: ${r.error.message}. The list shown is kept.`;
    return;
  }
  const changed = applyCatalogue(r.data);
  const s = status();
  if (force && s) {
    const n = catalogueCounts(r.data.models, r.data.retired).available;
    s.textContent = `${changed ? "Updated" : "Checked, unchanged"}: ${n} model${n === 1 ? "" : "s"} ${r.data.source === "live" ? "offered to this key" : "in the bundled list"}.`;
  }
}

/** The Models section follows the catalogue from start-up on. */
export function initModels() {
  on("catalogue-changed", renderModels);
  renderModels();
}

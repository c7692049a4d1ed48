//! Settings and first run: the API key (checked against the API, then stored), where it comes from, how
//! it is kept, and the facts about this installation. The key itself never comes back to the window.
import { call, commands, type AppInfo } from "./api";
import { button, byId, h, fill } from "./dom";
import { modeLabel } from "./mode";
import { openLink } from "./grounding";
import { emit } from "./store";

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

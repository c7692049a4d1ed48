// Boots the window: asks the backend who it is, shows the mode, wires navigation.
import { commands, imageUrl, type AppInfo } from "./api";
import { modeLabel } from "./mode";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

function showInfo(info: AppInfo) {
  const badge = $("mode-badge");
  const label = modeLabel(info);
  badge.textContent = label.text;
  badge.className = `badge ${label.tone}`;
  badge.title = label.detail;
  $("status-version").textContent = `${info.name} ${info.version}`;
  $("status-data").textContent = `Data: ${info.data_dir}`;
  const facts = $("app-info");
  facts.replaceChildren();
  const rows: [string, string][] = [
    ["Version", info.version],
    ["Mode", label.text],
    ["API", info.api_base_url],
    ["API key", info.has_api_key ? "Set (from GEMINI_API_KEY)" : "Not set"],
    ["Data folder", info.data_dir],
  ];
  for (const [k, v] of rows) {
    const dt = document.createElement("dt");
    dt.textContent = k;
    const dd = document.createElement("dd");
    dd.textContent = v;
    dd.dataset.fact = k;
    facts.append(dt, dd);
  }
}

function showError(message: string) {
  const badge = $("mode-badge");
  badge.textContent = "Backend unavailable";
  badge.className = "badge danger";
  badge.title = message;
}

function wireNavigation() {
  const views: Record<string, HTMLElement[]> = {
    "nav-studio": [$("studio"), $("gallery-strip")],
    "nav-gallery": [$("gallery-strip")],
    "nav-settings": [$("settings")],
  };
  const all = [$("studio"), $("gallery-strip"), $("settings")];
  for (const id of Object.keys(views)) {
    $(id).addEventListener("click", () => {
      for (const el of all) el.hidden = !views[id].includes(el);
      for (const other of Object.keys(views)) {
        $(other).classList.toggle("active", other === id);
        $(other).setAttribute("aria-pressed", String(other === id));
      }
    });
  }
}

async function boot() {
  wireNavigation();
  const hero = $<HTMLImageElement>("hero");
  hero.src = imageUrl("demo", "banana.png");
  const result = await commands.appInfo().catch((e: unknown) => ({ status: "error" as const, error: { kind: "ipc", message: String(e) } }));
  if (result.status === "ok") showInfo(result.data);
  else showError(result.error.message);
}

void boot();

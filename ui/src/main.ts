//! Boots the window: asks the backend who it is and what each model allows (the catalogue as known now, no
//! network), builds every screen, then refreshes the model list in the background.
import { call, commands, imageUrl, retryFailedImages, safe, type AppInfo } from "./api";
import { byId } from "./dom";
import { modeLabel } from "./mode";
import { initParams } from "./params";
import { initReferences } from "./references";
import { initComposer } from "./composer";
import { generateFromComposer, cancel } from "./generation";
import { initThread } from "./thread";
import { initResultView } from "./result-view";
import { initGallery, showGallery } from "./gallery";
import { initModels, refreshModels, renderSettings } from "./settings";
import { initGalleryIndex, refreshUnlisted } from "./gallery-index";
import { initKeyboard } from "./keyboard";
import { applyCatalogue, emit, on, state } from "./store";

type View = "studio" | "gallery" | "settings";

function showInfo(info: AppInfo) {
  state.info = info;
  const badge = byId("mode-badge");
  const label = modeLabel(info);
  badge.textContent = label.text;
  badge.className = `badge ${label.tone}`;
  badge.title = label.detail;
  byId("demo-banner").hidden = info.mode !== "demo";
  byId("status-version").textContent = `${info.name} ${info.version}`;
  byId("status-data").textContent = `Data: ${info.data_dir}`;
  renderSettings(info, reloadInfo);
}

/** After a key was saved or removed: who the app is now, and what the new key (or the demo) can call. */
async function reloadInfo() {
  const r = await call(commands.appInfo());
  if (r.status === "ok") showInfo(r.data);
  void refreshModels(true);
}

function showBackendError(message: string) {
  const badge = byId("mode-badge");
  badge.textContent = "Backend unavailable";
  badge.className = "badge danger";
  badge.title = message;
}

function navigate(view: View) {
  byId("studio").hidden = view !== "studio";
  byId("gallery-strip").hidden = view !== "studio";
  byId("gallery").hidden = view !== "gallery";
  byId("settings").hidden = view !== "settings";
  for (const v of ["studio", "gallery", "settings"] as View[]) {
    const tab = byId(`nav-${v}`);
    tab.classList.toggle("active", v === view);
    tab.setAttribute("aria-pressed", String(v === view));
  }
  if (view === "gallery") showGallery();
  if (view === "settings") void refreshUnlisted();
}

async function boot() {
  for (const v of ["studio", "gallery", "settings"] as View[]) byId(`nav-${v}`).addEventListener("click", () => navigate(v));
  on("navigate", ({ view }) => navigate(view));
  byId("demo-add-key").addEventListener("click", () => { navigate("settings"); byId("api-key")?.focus(); });
  retryFailedImages();
  byId<HTMLImageElement>("hero").src = imageUrl("demo", "banana.png");
  byId("generate").addEventListener("click", () => void generateFromComposer());
  byId("cancel").addEventListener("click", () => void cancel());
  initKeyboard();

  const [info, catalogue] = await Promise.all([call(commands.appInfo()), safe(commands.catalogue())]);
  if (info.status === "ok") showInfo(info.data);
  else showBackendError(info.error.message);
  if (catalogue.status === "ok") applyCatalogue(catalogue.data);
  initParams();
  initModels();
  initGalleryIndex();
  if (!state.caps.length) {
    byId("params-body").textContent = `Could not load the models: ${catalogue.status === "error" ? catalogue.error.message : "none offered"}`;
  }
  initReferences();
  initComposer();
  initThread();
  initResultView();
  initGallery();
  // The Gallery tab may have been opened while start-up was still under way.
  if (!byId("gallery").hidden) showGallery();
  emit("params-changed");
  // The picker is up from the cached list; models.list is read again when that answer is a day old.
  void refreshModels(false);
}

void boot();

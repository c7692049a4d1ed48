// Settings' "Gallery index" section: rebuild the index from the image files (after a lost, replaced or older
// gallery.sqlite). The files and their provenance sidecars stay; the rebuild only adds what the index lacks.
import { call, commands, type RebuildReport } from "./api";
import { button, byId, fill, h } from "./dom";
import { emit } from "./store";

/** What a rebuild did, in one paragraph. */
export function rebuildText(r: RebuildReport): string {
  const n = (k: number, one: string, many: string) => `${k} ${k === 1 ? one : many}`;
  const parts = [
    `${n(r.restored, "image", "images")} listed again with ${r.restored === 1 ? "its" : "their"} prompt and settings`,
    `${n(r.recovered, "image", "images")} recovered without ${r.recovered === 1 ? "it" : "them"}`,
    `${n(r.already_listed, "image was", "images were")} already listed`,
  ];
  let text = `Done: ${parts.join(", ")}.`;
  if (r.moved_aside) text += ` The unreadable database was kept as ${r.moved_aside}.`;
  if (r.skipped.length) text += ` ${n(r.skipped.length, "other file", "other files")} in images/ ${r.skipped.length === 1 ? "was" : "were"} left as ${r.skipped.length === 1 ? "it is" : "they are"}.`;
  return `${text} Chats are not rebuilt from images.`;
}

/** What Settings says about image files the gallery does not list. */
export function unlistedText(n: number): string {
  return n === 0
    ? "Every image file in the data folder is in the gallery."
    : `${n} image file${n === 1 ? " in the data folder is" : "s in the data folder are"} not in the gallery: rebuild to list ${n === 1 ? "it" : "them"} again.`;
}

/** Counts the unlisted image files again (Settings shown, after a rebuild); says nothing when it cannot. */
export async function refreshUnlisted(): Promise<void> {
  const note = document.getElementById("unlisted-note");
  if (!note) return;
  const r = await call(commands.unlistedGalleryImages());
  note.textContent = r.status === "ok" ? unlistedText(r.data) : "";
  note.classList.toggle("warn", r.status === "ok" && r.data > 0);
}

export function initGalleryIndex() {
  const section = byId("gallery-index-section");
  const result = h("p", { class: "muted small", attrs: { id: "rebuild-result", role: "status", "aria-live": "polite" } });
  const rebuild = button("Rebuild gallery index from files", async () => {
    rebuild.disabled = true;
    result.textContent = "Reading the image files…";
    const r = await call(commands.rebuildGalleryIndex());
    rebuild.disabled = false;
    if (r.status === "error") {
      result.textContent = `Could not rebuild: ${r.error.message}`;
      return;
    }
    result.textContent = rebuildText(r.data);
    emit("gallery-changed");
    void refreshUnlisted();
  }, { class: "secondary small-btn", attrs: { id: "rebuild-gallery-index" } });
  fill(section,
    h("h3", { class: "subhead", text: "Gallery index" }),
    h("p", { class: "muted small", text: "If images are missing from the gallery (the database was lost, replaced or restored from an older backup), list them again from the files in the data folder. Nothing is deleted; images saved with their details get their prompt and settings back." }),
    h("p", { class: "small", attrs: { id: "unlisted-note", role: "status" } }),
    h("div", { class: "row" }, rebuild),
    result,
  );
}

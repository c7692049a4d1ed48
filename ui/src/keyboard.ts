//! Window-wide shortcuts: Ctrl/Cmd+Enter generates, Esc cancels a run (or closes what is open).
import { byId } from "./dom";
import { busy, cancel, generateFromComposer } from "./generation";

export function initKeyboard() {
  document.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      if (byId("studio").hidden) return;
      e.preventDefault();
      // In a turn's edit box, Ctrl+Enter branches with the edited prompt.
      const edit = (e.target as HTMLElement | null)?.closest?.(".turn-edit");
      if (edit) edit.querySelector<HTMLButtonElement>(".primary")?.click();
      else void generateFromComposer();
    } else if (e.key === "Escape") {
      if (busy()) {
        e.preventDefault();
        void cancel();
      } else if (!byId("gallery").hidden && !byId("gallery-detail").hidden) {
        byId("gallery-detail").querySelector<HTMLButtonElement>(".detail-head .icon-btn")?.click();
      }
    }
  });
}

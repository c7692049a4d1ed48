//! The composer: the prompt (its draft survives restarts), which chat and turn the next request continues,
//! the estimated cost of the whole request, the Generate / Cancel buttons and the error box.
import { commands, safe, type CommandError } from "./api";
import { button, byId, h, fill } from "./dom";
import { plainError, replacementIn } from "./errors";
import { formatPrice } from "./format";
import { formatTokens, toParams } from "./params-logic";
import { imageCount } from "./refs-logic";
import { currentCap, emit, on, state } from "./store";
import { switchForError } from "./params";

const DRAFT_KEY = "banana.draft";

export function prompt(): HTMLTextAreaElement {
  return byId<HTMLTextAreaElement>("prompt");
}

export function setPrompt(text: string) {
  prompt().value = text;
  saveDraft();
  updateButtons();
}

function saveDraft() {
  try { localStorage.setItem(DRAFT_KEY, prompt().value); } catch { /* ignore */ }
}

export function updateButtons() {
  const gen = byId<HTMLButtonElement>("generate");
  const cap = currentCap();
  const over = cap ? imageCount(state.refs) > cap.max_reference_images : false;
  gen.disabled = state.busy || !cap || prompt().value.trim() === "" || over;
  gen.title = over ? `Remove references: ${cap!.name} takes at most ${cap!.max_reference_images}` : "Ctrl+Enter";
  gen.textContent = state.busy ? "Generating…" : state.chatId ? "Generate in this chat" : "Generate";
  byId("cancel").hidden = !state.busy;
}

export function showError(error: CommandError | null) {
  const box = byId("error");
  if (!error) { box.hidden = true; box.replaceChildren(); return; }
  const e = plainError(error);
  fill(box,
    h("div", { class: "error-head" },
      h("strong", { text: e.title }),
      button("Dismiss", () => showError(null), { class: "link-btn", attrs: { "aria-label": "Dismiss the error" } })),
    h("p", { class: "error-reason", text: e.reason }),
    e.hint ? h("p", { class: "muted small", text: e.hint }) : null,
    error.kind === "missing_key" || error.kind === "invalid_key"
      ? button("Open Settings", () => emit("navigate", { view: "settings" }), { class: "link-btn", attrs: { id: "error-settings" } }) : null,
    error.kind === "model_retired" || error.kind === "model_unavailable" ? switchButton(error) : null,
  );
  box.dataset.kind = error.kind;
  box.hidden = false;
  box.scrollIntoView({ block: "nearest" });
}

/** One click from a retired or closed model to the one that replaces it; prompt and references stay. */
function switchButton(error: CommandError): HTMLButtonElement {
  const named = replacementIn(error);
  const name = state.caps.find((c) => c.id === named?.id)?.name ?? named?.name;
  const b = button(name ? `Switch to ${name}` : "Switch to the replacement", async () => {
    b.disabled = true;
    const to = await switchForError(error);
    if (!to) {
      b.disabled = false;
      setRunStatus("No model to switch to: pick one under Parameters.", "warn");
      return;
    }
    showError(null);
    setRunStatus(`Now on ${to.name}: generate again when ready.`);
    byId("generate").focus();
  }, { class: "secondary small-btn", attrs: { id: "error-switch-model" } });
  return b;
}

export function setRunStatus(text: string, tone: "" | "warn" = "") {
  const el = byId("run-status");
  el.textContent = text;
  el.className = `run-status ${tone}`;
}

function renderChatContext() {
  const el = byId("chat-context");
  const chat = state.chat;
  if (!state.chatId || !chat) {
    el.replaceChildren(h("span", { class: "muted", text: "New chat: the next image starts a conversation you can refine." }));
    return;
  }
  const leaf = state.parentTurnId ?? chat.head_turn_id;
  const idx = chat.turns.findIndex((t) => t.id === leaf);
  const branching = state.parentTurnId && state.parentTurnId !== chat.head_turn_id;
  el.replaceChildren(
    h("span", { text: branching ? "Branching from " : "Continuing " }),
    h("strong", { text: `“${chat.title || "Untitled chat"}”` }),
    h("span", { text: idx >= 0 ? ` after turn ${idx + 1}` : "" }),
  );
}

let estimateTimer: number | undefined;
let estimateSeq = 0;
async function refreshEstimate() {
  const cap = currentCap();
  const sel = state.selection;
  const el = byId("estimate");
  if (!cap || !sel) { el.replaceChildren(); return; }
  const seq = ++estimateSeq;
  const r = await safe(commands.estimateCost(toParams(sel, cap), imageCount(state.refs)));
  if (seq !== estimateSeq) return;
  if (r.status !== "ok") { el.replaceChildren(h("span", { class: "muted small", text: "No estimate available." })); return; }
  const c = r.data;
  const price = formatPrice(c.price);
  fill(el,
    h("span", { class: "label", text: "Estimated cost" }),
    h("span", { class: "estimate-main", text: `${c.images} × ${formatTokens(c.tokens_per_image)} = ${formatTokens(c.output_tokens)} output tokens${c.reference_tokens ? ` + ~${formatTokens(c.reference_tokens)} for references` : ""}${price ? ` · ${price}` : ""}` }),
    c.note ? h("span", { class: "muted small", text: c.note }) : null,
  );
}

export function scheduleEstimate() {
  window.clearTimeout(estimateTimer);
  estimateTimer = window.setTimeout(() => void refreshEstimate(), 50);
}

export function initComposer() {
  const p = prompt();
  try { p.value = localStorage.getItem(DRAFT_KEY) ?? ""; } catch { /* ignore */ }
  p.addEventListener("input", () => { saveDraft(); updateButtons(); });
  byId("new-chat").addEventListener("click", () => {
    state.chatId = null;
    state.parentTurnId = null;
    state.chat = null;
    emit("chat-changed");
    p.focus();
  });
  on("refs-changed", () => { updateButtons(); scheduleEstimate(); });
  on("params-changed", () => { updateButtons(); scheduleEstimate(); });
  on("busy-changed", updateButtons);
  on("chat-changed", () => { renderChatContext(); updateButtons(); });
  renderChatContext();
  updateButtons();
  scheduleEstimate();
}

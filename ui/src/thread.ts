//! The chat thread beside the composer: the turns of the current branch with their images and text;
//! continue from the last turn or branch from an earlier one; edit a turn's prompt to branch; switch
//! between sibling branches. A turn where the chat moved to another model (and restarted from the previous
//! image) carries a marker with the backend's note.
import { call, commands, imageUrl, type TurnView } from "./api";
import { button, byId, h, toast } from "./dom";
import { renderMarkdown } from "./markdown";
import { latestLeaf, pathTo, siblingInfo } from "./thread-logic";
import { paramsFor } from "./params-logic";
import { moveOffRetired, showChanges } from "./params";
import { emit, on, state } from "./store";
import { prompt } from "./composer";
import { run } from "./generation";
import { showResult } from "./result-view";

export async function loadChat(chatId: string) {
  const r = await call(commands.chatShow(chatId));
  if (r.status === "error") { toast(`Could not load the chat: ${r.error.message}`, "error"); return; }
  state.chat = r.data;
  emit("chat-changed");
}

function leafId(): string | null {
  return state.parentTurnId ?? state.chat?.head_turn_id ?? null;
}

function continueFrom(turn: TurnView) {
  const chat = state.chat!;
  state.parentTurnId = turn.id === chat.head_turn_id ? null : turn.id;
  emit("chat-changed");
  prompt().focus();
}

function editTurn(li: HTMLElement, turn: TurnView) {
  if (li.querySelector(".turn-edit")) return;
  const area = h("textarea", { class: "turn-edit-text", attrs: { rows: "3", "aria-label": "Edited prompt for a new branch" } });
  area.value = turn.prompt;
  const go = button("Branch with this prompt", () => void branchWith(turn, area.value), { class: "primary small-btn" });
  const form = h("div", { class: "turn-edit" }, area, h("div", { class: "row" }, go, button("Cancel", () => form.remove(), { class: "ghost small-btn" })));
  li.querySelector(".turn-prompt")?.after(form);
  area.focus();
}

async function branchWith(turn: TurnView, text: string) {
  const chat = state.chat;
  if (!chat || !text.trim()) return;
  // The turn's model may have been retired since: its parameters are refitted to the successor.
  const fitted = paramsFor({ ...turn.params, model: turn.params.model ?? chat.model }, state.caps, state.retired);
  if (fitted.notice) showChanges([fitted.notice]);
  // Editing the first turn branches from the chat's start: a second first turn, sent without history.
  const isRoot = !turn.parent_turn_id;
  await run({
    chat_id: chat.id,
    parent_turn_id: isRoot ? null : turn.parent_turn_id,
    from_start: isRoot,
    prompt: text.trim(),
    reference_hashes: turn.reference_hashes,
    params: fitted.params,
  }, fitted.cap.name);
}

function render() {
  const section = byId("thread");
  const list = byId("turns");
  const chat = state.chat;
  if (!chat || !state.chatId) { section.hidden = true; list.replaceChildren(); return; }
  section.hidden = false;
  const leaf = leafId();
  const path = pathTo(chat.turns, leaf);
  byId("thread-title").textContent = `Chat · ${chat.turn_count} turn${chat.turn_count === 1 ? "" : "s"}`;
  list.replaceChildren(...path.map((turn, i) => {
    const sib = siblingInfo(chat.turns, turn);
    const isLeaf = turn.id === leaf;
    const li = h("li", { class: `turn ${isLeaf ? "leaf" : ""} ${turn.context_note ? "restarted" : ""}`, dataset: { turn: turn.id }, attrs: { "aria-label": `Turn ${i + 1}` } },
      // The chat moved to another model here and restarted from the previous image: earlier turns are not
      // part of what the model sees from now on.
      turn.context_note ? h("div", { class: "context-note", attrs: { role: "note" } },
        h("span", { class: "context-note-mark", text: "New context", attrs: { "aria-hidden": "true" } }),
        h("p", { class: "small", text: turn.context_note })) : null,
      h("div", { class: "turn-head" },
        h("span", { class: "turn-no", text: `${i + 1}` }),
        sib.count > 1 ? h("span", { class: "branch-switch" },
          button("‹", () => switchBranch(sib.siblings[sib.index - 1]), { class: "icon-btn tiny", attrs: { "aria-label": "Previous branch", disabled: sib.index === 0 } }),
          h("span", { class: "muted small", text: `branch ${sib.index + 1} of ${sib.count}` }),
          button("›", () => switchBranch(sib.siblings[sib.index + 1]), { class: "icon-btn tiny", attrs: { "aria-label": "Next branch", disabled: sib.index === sib.count - 1 } }),
        ) : null,
      ),
      h("p", { class: "turn-prompt", text: turn.prompt }),
      turn.reference_hashes.length ? h("div", { class: "turn-refs" }, ...turn.reference_hashes.map((r, k) => h("img", { attrs: { src: imageUrl("ref", r), alt: `Reference ${k + 1}` } }))) : null,
      turn.image_ids.length ? h("div", { class: "turn-images" }, ...turn.image_ids.map((id, k) => {
        const b = h("button", { class: "turn-image", attrs: { type: "button", "aria-label": `Open image ${k + 1} of turn ${i + 1}` } }, h("img", { attrs: { src: imageUrl("thumb", id), alt: "" } }));
        b.addEventListener("click", () => showResult(turn.image_ids, k));
        return b;
      })) : h("p", { class: "muted small", text: turn.finish_reason ? `No image (${turn.finish_reason})` : "No image" }),
      turn.text ? (() => { const d = h("div", { class: "md turn-text" }); renderMarkdown(d, turn.text); return d; })() : null,
      h("div", { class: "turn-actions" },
        isLeaf ? h("span", { class: "muted small", text: "Continues here" }) :
          button("Continue from here", () => continueFrom(turn), { class: "ghost small-btn" }),
        button("Edit", () => editTurn(li, turn), { class: "ghost small-btn", attrs: { "aria-label": `Edit the prompt of turn ${i + 1} to branch` } }),
      ),
    );
    return li;
  }));
  // The latest turn is where the conversation continues: keep it in view.
  const leafEl = list.querySelector<HTMLElement>(".turn.leaf");
  if (leafEl) section.scrollTop = Math.max(0, leafEl.offsetTop - section.offsetTop - 40);
}

function switchBranch(turn: TurnView | undefined) {
  if (!turn || !state.chat) return;
  const leaf = latestLeaf(state.chat.turns, turn.id);
  state.parentTurnId = leaf === state.chat.head_turn_id ? null : leaf;
  emit("chat-changed");
}

const CHAT_KEY = "banana.chat";

function remember() {
  try {
    if (state.chatId) localStorage.setItem(CHAT_KEY, JSON.stringify({ chatId: state.chatId, parentTurnId: state.parentTurnId }));
    else localStorage.removeItem(CHAT_KEY);
  } catch { /* ignore */ }
}

/** Shows the newest image of the current branch, if any. */
function showLeafImage() {
  const chat = state.chat;
  if (!chat) return;
  const path = pathTo(chat.turns, leafId());
  const withImage = [...path].reverse().find((t) => t.image_ids.length);
  if (withImage) showResult(withImage.image_ids, 0);
}

async function openChat(chatId: string) {
  state.chatId = chatId;
  state.parentTurnId = null;
  await loadChat(chatId);
  showLeafImage();
}

async function fillPicker(picker: HTMLSelectElement) {
  const r = await call(commands.chatList(30, 0));
  if (r.status !== "ok") return;
  picker.replaceChildren(h("option", { text: r.data.length ? "Chats…" : "No chats yet", attrs: { value: "" } }),
    ...r.data.map((c) => h("option", { text: `${c.title || "Untitled"} (${c.turn_count})`, attrs: { value: c.id } })));
  picker.value = "";
}

export function initThread() {
  on("chat-changed", render);
  on("chat-changed", remember);
  const picker = byId<HTMLSelectElement>("chat-picker");
  picker.addEventListener("focus", () => void fillPicker(picker));
  picker.addEventListener("pointerdown", () => void fillPicker(picker));
  picker.addEventListener("change", () => {
    const id = picker.value;
    picker.value = "";
    if (id) void openChat(id);
  });
  on("gallery-changed", () => void fillPicker(picker));
  // Reopen the chat that was open when the app last closed.
  try {
    const saved = JSON.parse(localStorage.getItem(CHAT_KEY) ?? "null") as { chatId: string; parentTurnId: string | null } | null;
    if (saved?.chatId) {
      state.chatId = saved.chatId;
      void loadChat(saved.chatId).then(() => {
        if (!state.chat || state.chat.id !== saved.chatId) { state.chatId = null; emit("chat-changed"); return; }
        const known = saved.parentTurnId && state.chat.turns.some((t) => t.id === saved.parentTurnId);
        state.parentTurnId = known ? saved.parentTurnId : null;
        emit("chat-changed");
        showLeafImage();
      });
    }
  } catch { /* ignore */ }
  on("continue-chat", async ({ chatId, turnId }) => {
    state.chatId = chatId;
    await loadChat(chatId);
    state.parentTurnId = turnId && turnId !== state.chat?.head_turn_id ? turnId : null;
    emit("chat-changed");
    // A chat made with a model Google has since retired continues on its successor (the picker says so).
    const chat = state.chat;
    if (chat?.id === chatId) {
      const from = chat.turns.find((t) => t.id === (turnId ?? chat.head_turn_id));
      moveOffRetired(from?.params.model ?? chat.model);
    }
  });
}

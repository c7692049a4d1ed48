//! One generation run: sends the request with a progress Channel, streams thought text and interim thought
//! images into the progress panel (with a show/hide toggle), shows retries ("quota: retrying in 2 s"),
//! shows the backend's notices (a retired model replaced, a chat moved to another model), cancels on request,
//! and on any error leaves the prompt, references and history untouched.
//!
//! The backend names the job (its first event, `accepted`); Cancel uses that id. A cancel pressed before the
//! id arrives is sent as soon as it does. What the status line says after a cancel is what happened: nothing
//! saved (cancelled before the save began), or everything saved (the save had begun; `cancel_too_late`).
import { Channel, call, commands, imageUrl, safe, type GenerateRequest, type GenerationEvent, type GenerationResult } from "./api";
import { byId, h } from "./dom";
import { retryLine } from "./errors";
import { renderMarkdown } from "./markdown";
import { toParams } from "./params-logic";
import { characterExcess, imageCount } from "./refs-logic";
import { prompt, setPrompt, setRunStatus, showError } from "./composer";
import { currentCap, emit, state } from "./store";
import { showResult } from "./result-view";
import { loadChat } from "./thread";
import { characterPositions, setRefs } from "./references";

/** The running job's id, from the backend's `accepted` event. */
let jobId: string | null = null;
/** Cancel was pressed before the job's id arrived. */
let cancelWanted = false;
let showThoughts = true;

interface Progress {
  thoughts: string;
  answer: string;
  images: number;
  failures: string[];
  /** The backend's `notice` lines, kept for the result. */
  notices: string[];
}

function startProgress(modelName: string, variations: number, wantThoughts: boolean): Progress {
  const panel = byId("progress");
  const toggle = h("input", { attrs: { type: "checkbox", id: "thoughts-toggle" } });
  toggle.checked = showThoughts;
  toggle.addEventListener("change", () => {
    showThoughts = toggle.checked;
    byId("thoughts").hidden = !showThoughts;
  });
  panel.replaceChildren(
    h("div", { class: "progress-head" },
      h("span", { class: "spinner", attrs: { "aria-hidden": "true" } }),
      h("strong", { text: `Generating ${variations > 1 ? `${variations} images` : "an image"} with ${modelName}…`, attrs: { id: "progress-title" } }),
      wantThoughts ? h("label", { class: "check inline" }, toggle, h("span", { text: "Show thoughts" })) : null,
    ),
    h("ul", { class: "notices", attrs: { id: "progress-notices", "aria-label": "Notices about this request" } }),
    h("p", { class: "retry-line", attrs: { id: "retry-line", role: "status" } }),
    h("div", { class: "thoughts", attrs: { id: "thoughts" } },
      h("div", { class: "thought-images", attrs: { id: "thought-images", "aria-label": "Interim images the model drew while thinking" } }),
      h("div", { class: "thought-text md", attrs: { id: "thought-text" } }),
    ),
    h("div", { class: "answer-text md", attrs: { id: "answer-text" } }),
    h("ul", { class: "failures", attrs: { id: "progress-failures" } }),
  );
  byId("thoughts").hidden = !showThoughts;
  panel.hidden = false;
  byId("stage-empty").hidden = true;
  byId("result").hidden = true;
  return { thoughts: "", answer: "", images: 0, failures: [], notices: [] };
}

function onEvent(p: Progress, ev: GenerationEvent) {
  switch (ev.type) {
    case "accepted":
      jobId = ev.job_id;
      if (cancelWanted) void cancel();
      break;
    case "started":
      setRunStatus(`Sending ${ev.variations} request${ev.variations > 1 ? "s" : ""}…`);
      break;
    case "notice":
      p.notices.push(ev.message);
      byId("progress-notices").append(h("li", { text: ev.message }));
      break;
    case "retry": {
      const line = retryLine(ev.reason, ev.delay_ms, ev.attempt);
      byId("retry-line").textContent = `${line}${ev.message ? ` — ${ev.message}` : ""}`;
      setRunStatus(line, "warn");
      break;
    }
    case "thought_text":
      p.thoughts += ev.text;
      renderMarkdown(byId("thought-text"), p.thoughts);
      byId("thought-text").scrollTop = byId("thought-text").scrollHeight;
      setRunStatus("Thinking…");
      break;
    case "thought_image": {
      p.images++;
      byId("thought-images").append(h("figure", { class: "thought-image" },
        h("img", { attrs: { src: imageUrlFor(ev.id), alt: `Interim image ${p.images} drawn while thinking` } }),
        h("figcaption", { class: "muted small", text: `Draft ${p.images}${ev.variation ? ` · variation ${ev.variation + 1}` : ""}` })));
      break;
    }
    case "text":
      p.answer += ev.text;
      renderMarkdown(byId("answer-text"), p.answer);
      setRunStatus("Drawing…");
      break;
    case "variation_failed":
      p.failures.push(`Variation ${ev.variation + 1} failed (${ev.kind}): ${ev.message}`);
      byId("progress-failures").append(h("li", { text: p.failures[p.failures.length - 1] }));
      break;
    case "saving":
      setRunStatus("Saving…");
      break;
    case "done":
      setRunStatus(`Saved ${ev.images} image${ev.images === 1 ? "" : "s"}.`);
      break;
  }
}

function imageUrlFor(id: string) {
  return imageUrl("thought", id);
}

/** Runs a request; the caller has already shown nothing. Returns the result or null (error shown). */
export async function run(request: GenerateRequest, modelName: string): Promise<GenerationResult | null> {
  if (state.busy) return null;
  showError(null);
  state.busy = true;
  emit("busy-changed");
  const wantThoughts = !!request.params?.include_thoughts;
  const progress = startProgress(modelName, request.params?.count ?? 1, wantThoughts);
  const channel = new Channel<GenerationEvent>();
  channel.onmessage = (ev) => onEvent(progress, ev);
  jobId = null;
  cancelWanted = false;
  setRunStatus("Starting…");
  const r = await call(commands.generate(request, channel));
  jobId = null;
  cancelWanted = false;
  state.busy = false;
  emit("busy-changed");
  byId("progress").hidden = true;
  if (r.status === "error") {
    if (r.error.kind === "cancelled") {
      setRunStatus("Cancelled before anything was saved; your prompt and references are still here.");
    } else {
      // What the backend said before failing (a retired model replaced) still explains the request.
      setRunStatus(progress.notices.join(" "), progress.notices.length ? "warn" : "");
      showError(r.error);
    }
    restoreStage();
    return null;
  }
  const res = r.data;
  // The prompt and its references now live in the thread (and are replayed with the chat's history), so the
  // composer is cleared for the next turn; sending the same photos again would only add cost. On errors
  // both stay.
  if (prompt().value.trim() === request.prompt?.trim()) {
    setPrompt("");
    setRefs([]);
  }
  const failed = res.failures.length ? ` ${res.failures.length} variation${res.failures.length > 1 ? "s" : ""} failed.` : "";
  const saved = `${res.images.length} image${res.images.length === 1 ? "" : "s"} saved.${failed}`;
  setRunStatus(res.cancel_too_late ? `Cancel came too late: saving had already begun, and ${saved}` : `Done: ${saved}`, res.cancel_too_late ? "warn" : "");
  // The result repeats the notices it sent as events; either alone is enough.
  const notices = [...new Set([...progress.notices, ...(res.notices ?? [])])];
  if (res.images.length) showResult(res.images.map((i) => i.id), 0, { result: res, notices });
  else restoreStage();
  state.chatId = res.chat_id;
  state.parentTurnId = null;
  await loadChat(res.chat_id);
  emit("gallery-changed");
  if (!byId("studio").hidden) prompt().focus();
  return res;
}

function restoreStage() {
  const hasResult = byId("result").childElementCount > 0;
  byId("result").hidden = !hasResult;
  byId("stage-empty").hidden = hasResult;
}

/** Generate from the composer: its prompt, references, parameters, and the chat it continues. */
export async function generateFromComposer() {
  const cap = currentCap();
  const sel = state.selection;
  const text = prompt().value.trim();
  if (!cap || !sel || state.busy || !text) return;
  if (imageCount(state.refs) > cap.max_reference_images) {
    showError({ kind: "too_many_references", message: `${cap.name} takes at most ${cap.max_reference_images} references; ${imageCount(state.refs)} are attached.` });
    return;
  }
  const characters = characterPositions();
  const excess = characterExcess(cap.name, cap.max_character_images, characters.length);
  if (excess) {
    showError({ kind: "too_many_references", message: excess });
    return;
  }
  const request: GenerateRequest = {
    chat_id: state.chatId,
    parent_turn_id: state.parentTurnId,
    from_start: false,
    prompt: text,
    reference_hashes: state.refs.map((r) => r.hash),
    params: { ...toParams(sel, cap), character_references: characters },
  };
  await run(request, cap.name);
}

export async function cancel() {
  if (!state.busy) return;
  if (!jobId) {
    // The backend has not named the job yet: cancel it as soon as it does.
    cancelWanted = true;
    setRunStatus("Cancelling…");
    return;
  }
  cancelWanted = false;
  setRunStatus("Cancelling…");
  await safe(commands.cancelGeneration(jobId));
}

export function busy(): boolean {
  return state.busy;
}

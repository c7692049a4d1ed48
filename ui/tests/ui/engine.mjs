// A scripted generation backend for the browser tests (handlers run inside the page).
// `window.__SCENARIO__` picks what `generate` does; turns accumulate in a fake chat. `window.__NOTICES__` are
// sent as `notice` events, `window.__CONTEXT_NOTE__` marks the next turn as a restart on another model, and
// `__FIX__.retire` ({id, successor, successorName, catalogue}) makes a request for `id` fail as retired.
// Like the real backend it mints the job id and sends it first (`accepted`); `cancel_generation` only knows
// that id. Scenario "slow" can be cancelled before the save; "slow_save" only once the save has begun, so the
// run is saved anyway and the result says `cancel_too_late`.
export const engine = {
  generate: async (args) => {
    window.__turns ??= JSON.parse(sessionStorage.getItem("__turns") ?? "[]");
    const ch = args.onEvent;
    const send = (m) => window.__channelSend(ch, m);
    const s = window.__SCENARIO__ ?? "ok";
    const req = args.request;
    window.__cancelled = false;
    window.__jobSeq = (window.__jobSeq ?? 0) + 1;
    window.__jobId = `job_mock${window.__jobSeq}`;
    // `__ACCEPT_DELAY__` ms before the backend names the job (a Cancel pressed meanwhile must wait for it).
    if (window.__ACCEPT_DELAY__) await window.__sleep(window.__ACCEPT_DELAY__);
    send({ type: "accepted", job_id: window.__jobId });
    // Google shut the model down (404): the backend records the retirement (its catalogue changes) and fails.
    const gone = window.__FIX__.retire;
    if (gone && req.params.model === gone.id) {
      await window.__sleep(20);
      window.__cat = gone.catalogue;
      throw { kind: "model_retired", message: `Google has retired ${gone.id}; ${gone.successorName} (${gone.successor}) replaces it: switch to it and try again` };
    }
    for (const message of window.__NOTICES__ ?? []) send({ type: "notice", message });
    send({ type: "started", chat_id: req.chat_id ?? null, variations: req.params.count ?? 1, estimate: { model: req.params.model, images: 1, tokens_per_image: 1120, output_tokens: 1120, reference_tokens: 0, price: null, note: "" } });
    if (s === "unavailable") { await window.__sleep(20); throw { kind: "model_unavailable", message: `${req.params.model} is not available for this API key (models.list does not offer it to this key); use Nano Banana 2.1 (gemini-nano-banana-2.1) instead` }; }
    if (s === "blocked") { await window.__sleep(50); throw { kind: "blocked", message: "The prompt was blocked by the safety filters (blockReason SAFETY)." }; }
    if (s === "invalid_key") { await window.__sleep(20); throw { kind: "invalid_key", message: "API key not valid. Please pass a valid API key. (400 INVALID_ARGUMENT)" }; }
    if (s === "network") { await window.__sleep(50); throw { kind: "network", message: "error sending request for url (https://generativelanguage.googleapis.com/…): connection refused" }; }
    if (s === "quota") {
      send({ type: "retry", variation: 0, attempt: 1, delay_ms: 2000, reason: "quota", message: "Resource has been exhausted (e.g. check quota)." });
      await window.__sleep(window.__QUOTA_WAIT__ ?? 100);
      throw { kind: "quota", message: "429 RESOURCE_EXHAUSTED: Quota exceeded for metric generate_content_free_tier_requests, limit 10 per minute. Retry in 26s." };
    }
    send({ type: "thought_text", variation: 0, text: "**Planning the scene**\n\nA banana in a space suit, " });
    await window.__sleep(30);
    send({ type: "thought_text", variation: 0, text: "floating above the Earth; watercolour washes." });
    send({ type: "thought_image", variation: 0, id: "thought-1", path: "/tmp/t1.png", mime: "image/png" });
    if (s === "slow") {
      for (let i = 0; i < 200 && !window.__cancelled; i++) await window.__sleep(25);
      if (window.__cancelled) throw { kind: "cancelled", message: "generation cancelled: nothing was saved" };
    }
    let cancelTooLate = false;
    if (s === "slow_save") {
      send({ type: "saving" });
      for (let i = 0; i < 200 && !window.__cancelled; i++) await window.__sleep(25);
      cancelTooLate = window.__cancelled;
    }
    send({ type: "text", variation: 0, text: window.__TEXT__ ?? "Here is your **banana astronaut**." });
    const n = (window.__turns ??= []).length + 1;
    const chatId = req.chat_id ?? "chat-1";
    const parent = req.chat_id && !req.from_start ? (req.parent_turn_id ?? window.__turns.at(-1)?.id ?? null) : null;
    const turn = { id: `turn-${n}`, chat_id: chatId, parent_turn_id: parent, prompt: req.prompt, reference_hashes: req.reference_hashes ?? [], params: req.params, text: window.__TEXT__ ?? "Here is your **banana astronaut**.", thoughts: "**Planning the scene**", image_ids: [`img-${n}`], grounding: window.__GROUNDING__ ?? null, usage: null, finish_reason: "STOP", created_at: 1767225600000 + n * 60000, context_note: window.__CONTEXT_NOTE__ ?? null };
    window.__CONTEXT_NOTE__ = null;
    if (!req.chat_id) window.__turns = [];
    window.__turns.push(turn);
    sessionStorage.setItem("__turns", JSON.stringify(window.__turns));
    send({ type: "done", chat_id: chatId, turn_ids: [turn.id], images: 1 });
    const count = req.params.count ?? 1;
    const extra = [];
    const failures = [];
    for (let v = 1; v < count; v++) {
      if (v === 2) { failures.push({ variation: v, kind: "blocked", message: "finishReason IMAGE_SAFETY" }); send({ type: "variation_failed", variation: v, kind: "blocked", message: "finishReason IMAGE_SAFETY" }); continue; }
      extra.push({ id: `img-${n}-v${v}`, path: "", width: 1024, height: 1024, mime: "image/png", turn_id: turn.id });
    }
    return { chat_id: chatId, turn_id: turn.id, turn_ids: [turn.id], images: [{ id: `img-${n}`, path: `/data/images/img-${n}.png`, width: 1024, height: 1024, mime: "image/png", turn_id: turn.id }, ...extra],
      text: turn.text, thoughts: turn.thoughts, grounding: turn.grounding, usage: { prompt_tokens: 12, output_tokens: 1120, thought_tokens: 240, total_tokens: 1372 }, finish_reason: "STOP",
      cost: { image_tokens: 1120, total_tokens: 1372, price: null }, failures, notices: window.__NOTICES__ ?? [], cancel_too_late: cancelTooLate };
  },
  chat_list: () => {
    const T = JSON.parse(sessionStorage.getItem("__turns") ?? "[]");
    return T.length ? [{ id: T[0].chat_id, title: T[0].prompt, model: "gemini-nano-banana-2.1", created_at: 0, updated_at: 0, turn_count: T.length, head_turn_id: T.at(-1).id }] : [];
  },
  cancel_generation: (a) => {
    if (a.jobId !== window.__jobId) return false;
    window.__cancelled = true;
    return true;
  },
  chat_show: (a) => {
    window.__turns ??= JSON.parse(sessionStorage.getItem("__turns") ?? "[]");
    const turns = (window.__turns ?? []).filter((t) => t.chat_id === a.chatId);
    const head = [...turns].sort((x, y) => y.created_at - x.created_at)[0];
    return { id: a.chatId, title: turns[0]?.prompt.slice(0, 40) ?? "", model: "gemini-nano-banana-2.1", created_at: 1767225600000, updated_at: 1767225600000, turn_count: turns.length, head_turn_id: head?.id ?? null, turns };
  },
  gallery_get: (a) => {
    window.__turns ??= JSON.parse(sessionStorage.getItem("__turns") ?? "[]");
    const t = (window.__turns ?? []).find((x) => x.image_ids.includes(a.id));
    return { id: a.id, chat_id: t?.chat_id ?? "chat-1", turn_id: t?.id ?? "turn-1", prompt: t?.prompt ?? "", model: t?.params?.model ?? "gemini-nano-banana-2.1", width: 1024, height: 1024, mime: "image/png",
      favourite: false, trashed: false, has_grounding: !!t?.grounding, created_at: t?.created_at ?? 0, cursor: "c", path: `/data/images/${a.id}.png`, sha256: "ab12", bytes: 812345,
      params: t?.params ?? {}, aspect_ratio: t?.params?.aspect_ratio ?? null, image_size: t?.params?.image_size ?? "1K", reference_hashes: t?.reference_hashes ?? [], text: t?.text ?? "", thoughts: t?.thoughts ?? "",
      grounding: t?.grounding ?? null, usage: null, image_tokens: 1120, total_tokens: 1372, cost: null, finish_reason: "STOP", trashed_at: null };
  },
  gallery_list: () => {
    window.__turns ??= JSON.parse(sessionStorage.getItem("__turns") ?? "[]");
    const items = (window.__turns ?? []).slice().reverse().flatMap((t) => t.image_ids.map((id) => ({ id, chat_id: t.chat_id, turn_id: t.id, prompt: t.prompt, model: "gemini-nano-banana-2.1",
      width: 1024, height: 1024, mime: "image/png", favourite: false, trashed: false, has_grounding: !!t.grounding, created_at: t.created_at, cursor: id })));
    return { items, total: items.length };
  },
  reveal_image: () => null,
  gallery_export: (a) => a.ids.length,
  reference_from_image: (a) => ({ hash: "ref-" + a.imageId, name: a.imageId + ".png", mime: "image/png", width: 1024, height: 1024, bytes: 1 }),
  import_reference_paths: (a) => a.paths.map((p) => ({ name: p.split("/").pop(), reference: { hash: "h" + p.split("/").pop().replace(/\W/g, ""), name: p.split("/").pop(), mime: "image/png", width: 64, height: 64, bytes: 1 }, error: null })),
};


// Calls the app's real commands from inside the real window, the way the UI does (window.__TAURI_INTERNALS__),
// including a progress channel. Used where WebDriver cannot act as a person would (OS file drops).

/** invoke(cmd, args) in the window; resolves to {ok: value} or {err: error}. */
export async function invoke(s, cmd, args = {}) {
  return s.execAsync(`
    const [cmd, args, done] = arguments;
    window.__TAURI_INTERNALS__.invoke(cmd, args).then((v) => done({ ok: v }), (e) => done({ err: e }));
  `, [cmd, args]);
}

/**
 * Runs `generate` with a channel that records every event; resolves to {ok|err, events}. The job id the
 * backend mints (its first event, `accepted`) is kept in `window.__lastJobId` for `cancel_generation`.
 */
export async function generate(s, request) {
  return s.execAsync(`
    const [request, done] = arguments;
    const events = [];
    const T = window.__TAURI_INTERNALS__;
    const record = (ev) => { events.push(ev); if (ev && ev.type === "accepted") window.__lastJobId = ev.job_id; };
    const id = T.transformCallback((m) => { if (m && m.message !== undefined) record(m.message); else if (m && !m.end) record(m); });
    T.invoke("generate", { request, onEvent: "__CHANNEL__:" + id })
      .then((v) => done({ ok: v, events }), (e) => done({ err: e, events }));
  `, [request]);
}

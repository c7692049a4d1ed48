//! Plain words for every failure class the backend reports (`CommandError.kind`), plus the API's own reason.
import type { CommandError } from "./api";

const TITLES: Record<string, string> = {
  invalid_params: "These settings don't fit the model",
  model_retired: "Google retired this model",
  model_unavailable: "This model is not available for your API key",
  too_many_references: "Too many reference images",
  invalid_reference: "A reference image could not be used",
  missing_key: "No API key set",
  invalid_key: "The API key was refused",
  quota: "Rate limit reached",
  quota_per_day: "Daily quota used up",
  overloaded: "The model is overloaded",
  server: "The Gemini service had an internal error",
  timeout: "The request took too long",
  network: "No connection to the Gemini API",
  malformed: "The API sent an answer the app could not read",
  reply_too_large: "The server sent far more than any Gemini answer",
  blocked: "Blocked by the safety filters",
  no_image: "The model answered without an image",
  cancelled: "Cancelled",
  ipc: "The app's backend did not answer",
};

const HINTS: Record<string, string> = {
  invalid_params: "Pick values the model offers and try again.",
  model_retired: "Your prompt and references are kept: switch to the model that replaces it and generate again.",
  model_unavailable: "Pick another model; Settings › Models lists what this key can use.",
  too_many_references: "Remove some references, or pick a model that accepts more.",
  invalid_reference: "Use a PNG, JPEG, WebP or HEIC image.",
  missing_key: "Add a key in Settings, or keep using the offline demo.",
  invalid_key: "Check the key in Settings.",
  quota: "Wait a little and try again.",
  quota_per_day: "Try again tomorrow, or use a key with more quota.",
  overloaded: "Try again in a minute, or switch to another model.",
  server: "Try again in a moment.",
  timeout: "Try again; fewer or smaller references help.",
  network: "Check the internet connection and try again.",
  malformed: "Try again.",
  reply_too_large: "Something other than Gemini is answering: check GEMINI_BASE_URL and any proxy in between.",
  blocked: "Rephrase the prompt or change the references.",
  no_image: "Ask again more explicitly for an image.",
};

export interface PlainError {
  title: string;
  /** The backend's message (which carries the API's reason). */
  reason: string;
  hint: string;
}

export function plainError(error: CommandError): PlainError {
  const title = TITLES[error.kind] ?? "Something went wrong";
  return { title, reason: error.message, hint: HINTS[error.kind] ?? "" };
}

/**
 * The model a `model_retired` or `model_unavailable` failure names, and the one it says to use instead, read
 * from the backend's message ("Google has retired X; Name (id) replaces it: …", "X is not available for this
 * API key (why); use Name (id) instead"). Null for other kinds, or when no replacement is named.
 */
export function replacementIn(error: CommandError): { model: string; id: string; name: string } | null {
  const m = error.kind === "model_retired"
    ? error.message.match(/retired (\S+); (.+) \(([^()\s]+)\) replaces it/)
    : error.kind === "model_unavailable"
      ? error.message.match(/^(\S+) is not available.*; use (.+) \(([^()\s]+)\) instead/)
      : null;
  return m ? { model: m[1], name: m[2], id: m[3] } : null;
}

/** The retry line shown while the backend waits: "quota: retrying in 2 s (attempt 2)". */
export function retryLine(reason: string, delayMs: number, attempt: number): string {
  const secs = delayMs >= 10_000 ? Math.round(delayMs / 1000) : Math.max(0.1, Math.round(delayMs / 100) / 10);
  const shown = Number.isInteger(secs) ? String(secs) : secs.toFixed(1);
  return `${reason}: retrying in ${shown} s (attempt ${attempt})`;
}

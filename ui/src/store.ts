//! Shared state of the window and a tiny event bus, so modules don't import each other in circles.
import type { AppInfo, Catalogue, ModelCapabilities, ReferenceInfo, ChatDetail, GenerateParams, RetiredModel } from "./api";
import type { Selection } from "./params-logic";

export interface StudioState {
  info: AppInfo | null;
  /** The model catalogue as last read (`catalogue()` at start, then `refreshCatalogue`); null until then. */
  catalogue: Catalogue | null;
  /** The catalogue's models (every control is built from these), usable ones first. */
  caps: ModelCapabilities[];
  /** Model ids Google retired, each with the successor a stored id moves to. */
  retired: RetiredModel[];
  selection: Selection | null;
  refs: ReferenceInfo[];
  /** Hashes of the references marked as characters (people, pets, figures to keep consistent). */
  characters: string[];
  /** The chat being continued (null = a new chat) and the turn to continue from (null = its latest). */
  chatId: string | null;
  parentTurnId: string | null;
  chat: ChatDetail | null;
  busy: boolean;
}

export const state: StudioState = {
  info: null,
  catalogue: null,
  caps: [],
  retired: [],
  selection: null,
  refs: [],
  characters: [],
  chatId: null,
  parentTurnId: null,
  chat: null,
  busy: false,
};

export function currentCap(): ModelCapabilities | undefined {
  return state.caps.find((c) => c.id === state.selection?.model);
}

/**
 * Takes a catalogue read from the backend as the one in force and tells the picker and Settings. Returns
 * false (and tells no one) when it is the same as the one already shown.
 */
export function applyCatalogue(c: Catalogue): boolean {
  if (state.catalogue && JSON.stringify(state.catalogue) === JSON.stringify(c)) return false;
  state.catalogue = c;
  state.caps = c.models;
  state.retired = c.retired;
  emit("catalogue-changed");
  return true;
}

type Events = {
  "refs-changed": void;
  "params-changed": void;
  "chat-changed": void;
  "busy-changed": void;
  /** Show an image in the result view (from the thread, the gallery, the strip). */
  "show-image": { imageId: string };
  "reuse-params": { params: GenerateParams };
  "continue-chat": { chatId: string; turnId: string | null };
  "gallery-changed": void;
  "info-changed": void;
  /** A new model catalogue is in `state` (start-up, a background refresh, Settings' Refresh button). */
  "catalogue-changed": void;
  navigate: { view: "studio" | "gallery" | "settings" };
};

const listeners = new Map<string, Set<(p: unknown) => void>>();
export function on<K extends keyof Events>(ev: K, fn: (p: Events[K]) => void): void {
  if (!listeners.has(ev)) listeners.set(ev, new Set());
  listeners.get(ev)!.add(fn as (p: unknown) => void);
}
export function emit<K extends keyof Events>(ev: K, ...p: Events[K] extends void ? [] : [Events[K]]): void {
  for (const fn of listeners.get(ev) ?? []) fn(p[0]);
}

//! The reference list: adding imports under the model's limit (refusing by name, never silently), order.
import type { CommandError, ReferenceInfo } from "./api";

export interface Incoming {
  name: string;
  reference: ReferenceInfo | null;
  error: CommandError | null;
}

export interface AddOutcome {
  list: ReferenceInfo[];
  added: ReferenceInfo[];
  /** One sentence per refused file, naming it. */
  refused: string[];
}

/** How many of the references are images: videos do not count against a model's reference limit. */
export function imageCount(refs: Pick<ReferenceInfo, "kind">[]): number {
  return refs.filter((r) => r.kind !== "video").length;
}

/** A video's length as people read it: "0:07", "12:03", "1:02:03"; "video" when unknown. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms == null || !Number.isFinite(ms) || ms < 0) return "video";
  const total = Math.round(ms / 1000);
  const h = Math.floor(total / 3600), m = Math.floor((total % 3600) / 60), sec = total % 60;
  const two = (n: number) => String(n).padStart(2, "0");
  return h ? `${h}:${two(m)}:${two(sec)}` : `${m}:${two(sec)}`;
}

/**
 * The notice when videos are attached and the model takes none: which model does. Null when fine. The
 * backend refuses such a request before sending; this says so before Generate is pressed.
 */
export function videoNotice(refs: Pick<ReferenceInfo, "kind" | "name">[], cap: { name: string; video_input: boolean }, videoModels: { name: string }[]): string | null {
  const videos = refs.filter((r) => r.kind === "video");
  if (!videos.length || cap.video_input) return null;
  const names = videos.map((v) => `“${v.name}”`).join(", ");
  const where = videoModels.length ? `videos work with ${videoModels.map((m) => m.name).join(", ")}` : "no model on offer takes video";
  return `${cap.name} does not take video; ${where}: remove ${names} or switch model.`;
}

export function addReferences(current: ReferenceInfo[], incoming: Incoming[], limit: number, modelName: string): AddOutcome {
  const list = [...current];
  const added: ReferenceInfo[] = [];
  const refused: string[] = [];
  for (const item of incoming) {
    if (!item.reference) {
      refused.push(`“${item.name}” was refused: ${item.error?.message ?? "not a usable image"}`);
    } else if (list.some((r) => r.hash === item.reference!.hash)) {
      refused.push(`“${item.name}” is already in the references.`);
    } else if (item.reference.kind !== "video" && imageCount(list) >= limit) {
      refused.push(`“${item.name}” was not added: ${modelName} takes at most ${limit} references.`);
    } else {
      list.push(item.reference);
      added.push(item.reference);
    }
  }
  return { list, added, refused };
}

/** Moves item `from` to position `to` (clamped). */
export function moveItem<T>(list: T[], from: number, to: number): T[] {
  const out = [...list];
  if (from < 0 || from >= out.length) return out;
  const [item] = out.splice(from, 1);
  out.splice(Math.max(0, Math.min(out.length, to)), 0, item);
  return out;
}

export function countLabel(n: number, limit: number): string {
  return `${n} / ${limit}`;
}

/** The reason to refuse when more references are marked as characters than the model keeps consistent. */
export function characterExcess(modelName: string, max: number, marked: number): string | null {
  return marked > max
    ? `${modelName} keeps at most ${max} characters consistent; ${marked} references are marked as characters: mark ${marked - max} as objects before generating.`
    : null;
}

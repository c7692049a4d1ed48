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

export function addReferences(current: ReferenceInfo[], incoming: Incoming[], limit: number, modelName: string): AddOutcome {
  const list = [...current];
  const added: ReferenceInfo[] = [];
  const refused: string[] = [];
  for (const item of incoming) {
    if (!item.reference) {
      refused.push(`“${item.name}” was refused: ${item.error?.message ?? "not a usable image"}`);
    } else if (list.some((r) => r.hash === item.reference!.hash)) {
      refused.push(`“${item.name}” is already in the references.`);
    } else if (list.length >= limit) {
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

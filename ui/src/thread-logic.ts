//! Chat branches: turns form a tree by `parent_turn_id`; the thread shows one path from the first turn to a
//! leaf, and each turn with siblings can switch to another branch.
import type { TurnView } from "./api";

export function childrenOf(turns: TurnView[]): Map<string | null, TurnView[]> {
  const map = new Map<string | null, TurnView[]>();
  for (const t of [...turns].sort((a, b) => a.created_at - b.created_at)) {
    const k = t.parent_turn_id ?? null;
    if (!map.has(k)) map.set(k, []);
    map.get(k)!.push(t);
  }
  return map;
}

/** The path from the first turn to `leafId` (oldest first). */
export function pathTo(turns: TurnView[], leafId: string | null): TurnView[] {
  const byId = new Map(turns.map((t) => [t.id, t]));
  const out: TurnView[] = [];
  let cur = leafId ? byId.get(leafId) : undefined;
  const seen = new Set<string>();
  while (cur && !seen.has(cur.id)) {
    seen.add(cur.id);
    out.unshift(cur);
    cur = cur.parent_turn_id ? byId.get(cur.parent_turn_id) : undefined;
  }
  return out;
}

/** The newest descendant of a turn (following the latest child each time). */
export function latestLeaf(turns: TurnView[], turnId: string): string {
  const kids = childrenOf(turns);
  let id = turnId;
  const seen = new Set<string>();
  for (;;) {
    const c = kids.get(id);
    if (!c?.length || seen.has(id)) return id;
    seen.add(id);
    id = c[c.length - 1].id;
  }
}

/** Where a turn sits among its siblings: index (0-based) and count. */
export function siblingInfo(turns: TurnView[], turn: TurnView): { index: number; count: number; siblings: TurnView[] } {
  const siblings = childrenOf(turns).get(turn.parent_turn_id ?? null) ?? [turn];
  return { index: Math.max(0, siblings.findIndex((t) => t.id === turn.id)), count: siblings.length, siblings };
}

/** Pure DAG helpers over `id → dependency ids`. */

export type DependencyMap = ReadonlyMap<string, readonly string[]>;

/**
 * Topological order, ties broken by id (so the order is deterministic), or the ids of one cycle
 * (first id repeated at the end) when there is none.
 */
export function topologicalOrder(deps: DependencyMap): { order: string[] } | { cycle: string[] } {
  const remaining = new Map<string, number>();
  const children = new Map<string, string[]>();
  for (const [id, parents] of deps) {
    remaining.set(id, parents.length);
    for (const parent of parents) {
      const list = children.get(parent);
      if (list) list.push(id);
      else children.set(parent, [id]);
    }
  }
  const ready = [...remaining]
    .filter(([, n]) => n === 0)
    .map(([id]) => id)
    .sort();
  const order: string[] = [];
  while (ready.length > 0) {
    // `ready` is kept sorted and small; shifting the smallest keeps ties ordered by id.
    const id = ready.shift()!;
    order.push(id);
    for (const child of children.get(id) ?? []) {
      const left = remaining.get(child)! - 1;
      remaining.set(child, left);
      if (left === 0) insertSorted(ready, child);
    }
  }
  if (order.length === deps.size) return { order };
  return { cycle: findCycle(deps, new Set(order)) };
}

function insertSorted(list: string[], value: string): void {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  list.splice(lo, 0, value);
}

/** A cycle among the nodes that a topological sort could not place. */
function findCycle(deps: DependencyMap, placed: ReadonlySet<string>): string[] {
  const start = [...deps.keys()].filter((id) => !placed.has(id)).sort()[0]!;
  // Walk dependency edges among unplaced nodes until a node repeats: every unplaced node has an
  // unplaced dependency, so the walk must loop.
  const path: string[] = [];
  const seenAt = new Map<string, number>();
  let node = start;
  while (!seenAt.has(node)) {
    seenAt.set(node, path.length);
    path.push(node);
    node = [...(deps.get(node) ?? [])].sort().find((dep) => !placed.has(dep))!;
  }
  // path runs child → parent; show it in execution order (parent → child), from its smallest id.
  const cycle = path.slice(seenAt.get(node)).reverse();
  const first = cycle.indexOf([...cycle].sort()[0]!);
  const rotated = [...cycle.slice(first), ...cycle.slice(0, first)];
  return [...rotated, rotated[0]!];
}

/** Children of every node. */
export function childrenOf(deps: DependencyMap): Map<string, string[]> {
  const children = new Map<string, string[]>([...deps.keys()].map((id) => [id, []]));
  for (const [id, parents] of deps) for (const parent of parents) children.get(parent)?.push(id);
  for (const list of children.values()) list.sort();
  return children;
}

/** Every node reachable by following `edges` from `id`, not including `id`. */
export function reachable(id: string, edges: ReadonlyMap<string, readonly string[]>): Set<string> {
  const seen = new Set<string>();
  const stack = [...(edges.get(id) ?? [])];
  while (stack.length > 0) {
    const next = stack.pop()!;
    if (seen.has(next)) continue;
    seen.add(next);
    stack.push(...(edges.get(next) ?? []));
  }
  return seen;
}

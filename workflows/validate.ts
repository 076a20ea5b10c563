import type { Workflow, WorkflowNode } from "./schema.ts";

/** Where a node can lead (job outcomes and decision choices); "succeed" ends the workflow. */
export function successorsOf(node: WorkflowNode): string[] {
  if (node.kind === "job") return [node.next, ...node.branches.map((b) => b.next)];
  return [...node.choices.map((c) => c.next), node.default];
}

/**
 * Graph checks made on load: unique ids, every outcome leads to a node that exists, every node is
 * reachable from the start, the end is reachable, and no cycle unless it passes through a decision
 * marked as a deliberate loop. Returns the problems found (empty when the graph is sound).
 */
export function checkGraph(workflow: Workflow): string[] {
  const problems: string[] = [];
  const byId = new Map<string, WorkflowNode>();
  for (const node of workflow.nodes) {
    if (byId.has(node.id)) problems.push(`duplicate node id "${node.id}"`);
    byId.set(node.id, node);
  }
  if (!byId.has(workflow.startAt)) problems.push(`startAt "${workflow.startAt}" is not a node`);
  for (const node of workflow.nodes) {
    for (const next of successorsOf(node)) {
      if (next !== "succeed" && !byId.has(next))
        problems.push(`"${node.id}" leads to unknown node "${next}"`);
    }
  }
  if (problems.length > 0) return problems;

  const reachable = new Set<string>();
  let reachesEnd = false;
  const stack = [workflow.startAt];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (reachable.has(id)) continue;
    reachable.add(id);
    for (const next of successorsOf(byId.get(id)!)) {
      if (next === "succeed") reachesEnd = true;
      else stack.push(next);
    }
  }
  for (const node of workflow.nodes) {
    if (!reachable.has(node.id)) problems.push(`"${node.id}" is not reachable from "${workflow.startAt}"`);
  }
  if (!reachesEnd) problems.push("no path reaches the end of the workflow");

  // A cycle is a back edge in a depth-first walk; it must pass through a deliberate-loop decision.
  const state = new Map<string, "open" | "done">();
  const path: string[] = [];
  const visit = (id: string): void => {
    state.set(id, "open");
    path.push(id);
    for (const next of successorsOf(byId.get(id)!)) {
      if (next === "succeed") continue;
      if (state.get(next) === "open") {
        const cycle = path.slice(path.indexOf(next));
        const deliberate = cycle.some((n) => {
          const node = byId.get(n)!;
          return node.kind === "decision" && node.deliberateLoop;
        });
        if (!deliberate) problems.push(`cycle without a deliberate loop: ${[...cycle, next].join(" -> ")}`);
      } else if (!state.has(next)) visit(next);
    }
    path.pop();
    state.set(id, "done");
  };
  visit(workflow.startAt);
  return problems;
}

/**
 * A mapped task's instances and a run's children as the page gets them. A map may have 100,000
 * instances and the page refetches the run on every burst of events, so the run's JSON lists a
 * few of them (the first ones, then failed ones further on) and says how many it left out;
 * `GET /api/runs/:id/tasks/:taskId/instances` has them all.
 */
import type { InstanceDetail, InstancesDetail, RunDetail } from "@cloacina/engine";

/** One instance as the page shows it: the engine's detail, as it is. */
export type InstanceView = InstanceDetail;

export interface InstancesView extends InstancesDetail {
  /** Instances not in `list`. */
  omitted: number;
}

/** Instances listed from the start of the array, then failed ones from further on. */
export const FIRST_INSTANCES = 100;
export const MORE_FAILED_INSTANCES = 100;
/** Child runs listed with a run (the runs list's `parent` filter pages through all). */
export const LISTED_CHILDREN = 100;

export function instancesView(instances: InstancesDetail, all = false): InstancesView {
  const first = all ? instances.list : instances.list.slice(0, FIRST_INSTANCES);
  const failed = all
    ? []
    : instances.list
        .slice(FIRST_INSTANCES)
        .filter((i) => i.status === "Failed" || i.error !== undefined)
        .slice(0, MORE_FAILED_INSTANCES);
  const list = [...first, ...failed].map((i) => ({ ...i }));
  return { total: instances.total, counts: instances.counts, list, omitted: instances.list.length - list.length };
}

export function childrenView(detail: RunDetail): { children: RunDetail["children"]; childCount: number } {
  return { children: detail.children.slice(0, LISTED_CHILDREN), childCount: detail.children.length };
}

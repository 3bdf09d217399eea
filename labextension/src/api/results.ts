/**
 * Typed results. Each task's result has a JSON Schema in the kernel runtime
 * (`kernels/dlviz_kernel/<family>/<task>.result.schema.json`); `resultTypes.generated.ts` holds
 * the TypeScript types generated from them (`npm run build:types`). A view reads a run's result
 * through `resultOf`, never as `any`.
 */
import { IRun } from './client';
import { TaskId, TaskResultMap } from './resultTypes.generated';

export * from './resultTypes.generated';

/** The result of any task. */
export type TaskResult = TaskResultMap[TaskId];

/** The result of a finished run of `task`, typed by its result schema (null if it has none). */
export function resultOf<K extends TaskId>(run: IRun, task: K): TaskResultMap[K] | null {
  if (run.task !== task) {
    throw new Error(`a ${run.task} run has no ${task} result`);
  }
  return (run.result ?? null) as TaskResultMap[K] | null;
}

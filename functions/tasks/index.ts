import type { TaskModule } from "../core/task-module.ts";
import { HEAVY_TASK_MODULES } from "./heavy.ts";
import { LIGHT_TASK_MODULES } from "./light.ts";

/**
 * Every task module by the name the workflows use. One module per command, as Archivematica's
 * client scripts. The light and heavy registries are separate files so that the light-queue Lambda
 * bundles only the light ones (functions/handlers/run-tasks.ts); the CLI and the worker load both.
 */
export const TASK_MODULES: ReadonlyMap<string, TaskModule> = new Map([
  ...LIGHT_TASK_MODULES,
  ...HEAVY_TASK_MODULES,
]);

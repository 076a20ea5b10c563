import { type NeededBy, TOOLS, type ToolSpec } from "./tool-list.ts";

export { findExecutable } from "./locate.ts";
export { type NeededBy, TOOLS, type ToolSpec } from "./tool-list.ts";

/**
 * Where the external tools are and which versions they are. Task modules call requireTool before
 * they start work, so a missing tool is a clear error naming the package to install, never a
 * silent pass; `stepmatica doctor` lists them all.
 */

export const INSTALL_SCRIPT = "functions/worker/install-tools.sh";

export interface ToolStatus {
  name: string;
  purpose: string;
  source: string;
  neededBy: NeededBy;
  /** Needed by every run or by a configuration's step (not optional, not only for the browser tests). */
  required: boolean;
  path: string | null;
  version: string | null;
  /** Why the version could not be read, when the tool is there but did not answer. */
  problem?: string;
}

/** A tool a task needs is not installed: names the tool and how to install it. */
export class ToolMissingError extends Error {
  override name = "ToolMissingError";
  constructor(
    readonly tool: string,
    readonly source: string,
  ) {
    super(`${tool} not found: install ${source} (${INSTALL_SCRIPT})`);
  }
}

export function toolSpec(name: string): ToolSpec {
  const spec = TOOLS.find((t) => t.name === name);
  if (!spec) throw new Error(`no tool called "${name}" in functions/tools/tool-list.ts`);
  return spec;
}

/** The tool's absolute path; throws ToolMissingError ("clamscan not found: install clamav (…)"). */
export async function requireTool(name: string): Promise<string> {
  const spec = toolSpec(name);
  const found = await spec.locate();
  if (!found) throw new ToolMissingError(spec.name, spec.source);
  return found;
}

const versions = new Map<string, Promise<string>>();

/** The tool's version text, asked once per process and path. */
export function toolVersion(name: string, executable: string): Promise<string> {
  const key = `${name}\0${executable}`;
  let cached = versions.get(key);
  if (!cached) {
    cached = toolSpec(name).version(executable);
    cached.catch(() => versions.delete(key));
    versions.set(key, cached);
  }
  return cached;
}

/** Every tool: found or not, with its version. */
export async function describeTools(): Promise<ToolStatus[]> {
  return Promise.all(
    TOOLS.map(async (spec) => {
      const base = {
        name: spec.name,
        purpose: spec.purpose,
        source: spec.source,
        neededBy: spec.neededBy,
        required: isRequired(spec),
      };
      const found = await spec.locate();
      if (!found) return { ...base, path: null, version: null };
      try {
        return { ...base, path: found, version: await toolVersion(spec.name, found) };
      } catch (error) {
        return { ...base, path: found, version: null, problem: (error as Error).message };
      }
    }),
  );
}

/** Whether some run needs the tool (the browser tests' Chromium and optional tools are not). */
export function isRequired(spec: ToolSpec): boolean {
  return spec.neededBy !== "optional" && spec.neededBy !== "browser tests";
}

/** Runs the shared port contract suite (test/contract/suites/<port>.ts) against an adapter. */
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const SUITES: Record<string, string> = {
  "in-flight": "inFlightContract",
  "task-queue": "taskQueueContract",
  sql: "sqlContract",
  "object-store": "objectStoreContract",
};

const suitesDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../contract/suites");

export async function runSharedContract<Port>(
  port: string,
  name: string,
  make: () => Promise<Port>,
): Promise<void> {
  const file = path.join(suitesDir, `${port}.ts`);
  if (!existsSync(file)) throw new Error(`shared contract suite ${file} is missing`);
  const suite = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  const exported = suite[SUITES[port]!];
  if (typeof exported !== "function") throw new Error(`${file} does not export ${SUITES[port]}(name, make)`);
  (exported as (name: string, make: () => Promise<Port>) => void)(name, make);
}

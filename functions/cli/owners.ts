import { mkdir, readFile, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import path from "node:path";

/**
 * Which local process is running a unit: a file per unit under the working root holding the host
 * and pid. `resume` asks it whether the owner is still alive, so a run killed a moment ago can be
 * resumed at once (a heartbeat alone would have to go stale first).
 */
const ownersDir = (workRoot: string) => path.join(workRoot, ".owners");

export async function claimOwnership(workRoot: string, unitId: string): Promise<void> {
  await mkdir(ownersDir(workRoot), { recursive: true });
  await writeFile(path.join(ownersDir(workRoot), unitId), `${hostname()} ${process.pid}\n`);
}

/** "alive": another live process on this host owns it; "dead": its owner is gone; "unknown": no record here. */
export async function ownerState(workRoot: string, unitId: string): Promise<"alive" | "dead" | "unknown"> {
  const text = await readFile(path.join(ownersDir(workRoot), unitId), "utf8").catch(() => null);
  if (!text) return "unknown";
  const [host, pidText] = text.trim().split(" ");
  const pid = Number(pidText);
  if (host !== hostname() || !Number.isInteger(pid)) return "unknown";
  if (pid === process.pid) return "dead";
  try {
    process.kill(pid, 0);
    return "alive";
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM" ? "alive" : "dead";
  }
}

import { readFile } from "node:fs/promises";

/** True when no process has this pid any more (a zombie waiting for a reaper counts as gone). */
export async function processGone(pid: number, waitMs = 2000): Promise<boolean> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    if (await gone(pid)) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function gone(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => "");
  // Field 3 (after the parenthesised command) is the state; Z is a zombie.
  return stat === "" || stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z");
}

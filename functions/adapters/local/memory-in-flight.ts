import type { InFlight, RemoveResult } from "../../ports/in-flight.ts";

/** In-flight sets in this process's memory (the embedded default). JS is single-threaded: each call is atomic. */
export class MemoryInFlight implements InFlight {
  private readonly sets = new Map<string, { members: Set<string>; expiresAt: number }>();

  async add(jobId: string, taskIds: string[], ttlSeconds: number): Promise<void> {
    const entry = this.live(jobId) ?? { members: new Set<string>(), expiresAt: 0 };
    for (const id of taskIds) entry.members.add(id);
    entry.expiresAt = Date.now() + ttlSeconds * 1000;
    this.sets.set(jobId, entry);
  }

  async remove(jobId: string, taskId: string): Promise<RemoveResult> {
    const entry = this.live(jobId);
    if (!entry) return "missing";
    entry.members.delete(taskId);
    return entry.members.size === 0 ? "empty" : "pending";
  }

  async members(jobId: string): Promise<string[]> {
    return [...(this.live(jobId)?.members ?? [])].sort();
  }

  async clear(jobId: string): Promise<void> {
    this.sets.delete(jobId);
  }

  /** Forgets everything, as a flushed cache would (tests of the rebuild path). */
  flush(): void {
    this.sets.clear();
  }

  async close(): Promise<void> {}

  private live(jobId: string) {
    const entry = this.sets.get(jobId);
    if (entry && entry.expiresAt < Date.now()) {
      this.sets.delete(jobId);
      return undefined;
    }
    return entry;
  }
}

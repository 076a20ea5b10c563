// When the home's database owner must end at once (owner-watch.mjs): what the owner's own thread
// cannot notice, because what follows keeps it inside PGlite for good (db-owner.ts).

/** The file system is full for PostgreSQL's WAL below this: one 16 MB segment no longer fits. */
export const FULL_BELOW_BYTES = 16 * 2 ** 20;

/**
 * Why the owner must stop, or null while all is well.
 * - `folder`: the data folder as it is now (null: no such path) and as the owner opened it.
 * - `stalledMs`: how long the owner's thread has not beaten; `stallMs`: how long it may take
 *   over one statement before a full file system is taken as the cause.
 * - `freeBytes()`: asked only when the thread stalls.
 * @param {{ now: { dev: number, ino: number } | null, opened: { dev: number, ino: number }, path: string }} folder
 * @param {number} stalledMs
 * @param {number} stallMs
 * @param {() => number} freeBytes
 * @returns {string | null}
 */
export function stopReason(folder, stalledMs, stallMs, freeBytes) {
  const { now, opened, path } = folder;
  // Removed (a home deleted while its owner runs), moved, or replaced by a new one at that path:
  // PostgreSQL can no longer create its WAL files there.
  if (!now || now.dev !== opened.dev || now.ino !== opened.ino)
    return `the data folder ${path} was removed, moved or replaced`;
  if (stalledMs < stallMs) return null;
  // Out of space, PostgreSQL's WAL write PANICs, and PGlite, which cannot restart after a PANIC as
  // a server does, spins inside the statement.
  const free = freeBytes();
  return free < FULL_BELOW_BYTES
    ? `the database has not answered for ${Math.round(stalledMs / 1000)} s and the file system of ${path} is full (${free} bytes free)`
    : null;
}

/**
 * The fileSec and the physical structMap written apart while the amdSecs are written
 * (writeMetsFromSource with a MetsSpill), then copied into the document after them. Written after
 * the amdSecs, their pages kept the database busy for the last 0.6-0.7 s of a 10,000-file METS
 * while the writer waited; written meanwhile, they are read while the writer works.
 */
import type { MetsFileSource } from "./source.ts";
import type { Answer } from "./steps.ts";

/** A place apart (a temporary file) for the fileSec and structMap. */
export interface MetsSpill {
  sink(chunk: string): void;
  /** Hands everything written to `sink`, in order. */
  replay(into: (chunk: string) => void): void | Promise<void>;
}

/**
 * The tail's reads of pages per page of amdSecs written: a fileSec page and a structMap page. Not
 * paced, the tail's cheap pages ran ahead and held the database while the amdSecs' reads queued
 * behind them and the writer waited.
 */
const TAIL_READS_PER_PAGE = 2;

/** How many pages of amdSecs are written; the tail's reads wait on it. */
export class Pace {
  private written = 0;
  private finished = false;
  private waiting: Array<{ pages: number; go: () => void }> = [];

  pageWritten(): void {
    this.written++;
    this.release();
  }

  /** Every amdSec is written (or the writer stopped): nothing waits any more. */
  finish(): void {
    this.finished = true;
    this.release();
  }

  /** Once `pages` pages of amdSecs are written (at once if they are). */
  until(pages: number): Promise<void> | undefined {
    if (this.finished || this.written >= pages) return undefined;
    return new Promise((go) => this.waiting.push({ pages, go }));
  }

  private release(): void {
    const ready = this.waiting.filter((w) => this.finished || this.written >= w.pages);
    this.waiting = this.waiting.filter((w) => !ready.includes(w));
    for (const { go } of ready) go();
  }
}

/** `source` whose page reads follow the amdSecs written, TAIL_READS_PER_PAGE reads a page. */
export function pacedSource(source: MetsFileSource, pace: Pace): MetsFileSource {
  let reads = 0;
  const paced =
    <A extends unknown[], T>(read: (...args: A) => Answer<T>) =>
    async (...args: A): Promise<T> => {
      await pace.until(Math.floor(reads++ / TAIL_READS_PER_PAGE));
      return read(...args);
    };
  return {
    rankedPage: paced((use, after, limit) => source.rankedPage(use, after, limit)),
    treePage: paced((after, limit) => source.treePage(after, limit)),
    filesWithIds: (ids) => source.filesWithIds(ids),
    derivativesOf: (ids) => source.derivativesOf(ids),
    presentAt: (hrefs) => source.presentAt(hrefs),
    foldersAmong: (paths) => source.foldersAmong(paths),
  };
}

import { jobsOf } from "../../workflows/index.ts";
import type { CliIo } from "./io.ts";

/**
 * Shows which microservice and job a run is in: one redrawn line on a terminal (with elapsed time),
 * plain lines otherwise (logs, CI). Fed by the engine's transitions.
 */
export class Progress {
  private readonly started = Date.now();
  private current = "";
  private detail = "";
  private polling = false;
  /** Asked on each redraw for "files done / total" of the running job (terminal only). */
  poll: (() => Promise<string>) | null = null;
  private timer: NodeJS.Timeout | undefined;
  private readonly tty: boolean;

  constructor(
    private readonly stream: CliIo["stdout"],
    private readonly enabled: boolean,
  ) {
    this.tty = Boolean(stream.isTTY);
  }

  onTransition = (execution: string, state: string): void => {
    if (!this.enabled) return;
    const workflow = execution.includes(":stepmatica-ingest:") ? "ingest" : "transfer";
    const job = jobsOf(workflow).get(state);
    if (!job) return;
    this.current = `${workflow === "ingest" ? "Ingest" : "Transfer"} › ${job.microservice} › ${job.description}`;
    if (this.tty) this.draw();
    else this.stream.write(`[${this.elapsed()}] ${this.current}\n`);
  };

  start(): void {
    if (this.enabled && this.tty) this.timer = setInterval(() => this.draw(), 500);
  }

  stop(): void {
    clearInterval(this.timer);
    if (this.enabled && this.tty) this.stream.write("\r\x1b[2K");
  }

  private draw(): void {
    const width = Math.max(40, (this.stream.columns ?? 100) - 1);
    const line = `[${this.elapsed()}] ${this.current}${this.detail ? ` — ${this.detail}` : ""}`;
    this.stream.write(`\r\x1b[2K${line.slice(0, width)}`);
    if (this.poll && !this.polling) {
      this.polling = true;
      this.poll()
        .then((detail) => {
          this.detail = detail;
        })
        .catch(() => {})
        .finally(() => {
          this.polling = false;
        });
    }
  }

  private elapsed(): string {
    const s = Math.floor((Date.now() - this.started) / 1000);
    return `${String(Math.floor(s / 60)).padStart(2, "0")}:${String(s % 60).padStart(2, "0")}`;
  }
}

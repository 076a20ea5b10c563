import { execFile } from "node:child_process";

/** One file of the corpus: what a real tool was asked to write, and the PUID PRONOM documents for it. */
export interface CorpusFile {
  name: string;
  /** The program that wrote it, e.g. "ffmpeg -c:a pcm_s16le". */
  tool: string;
  expected: string;
  /** Why PRONOM gives that PUID (V119's FileFormat name/version and what the signature asks for). */
  why: string;
}

/** A corpus entry as written by a generator: the expectation and how to make the file. */
export interface Recipe extends CorpusFile {
  make(dir: string): Promise<void>;
}

/** Runs a tool with an argument array; a missing tool or a failure throws, naming the tool. */
export function run(command: string, args: string[], cwd: string, timeoutMs = 120_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      { cwd, timeout: timeoutMs, maxBuffer: 16 << 20, env: { ...process.env, HOME: cwd } },
      (error, stdout, stderr) => {
        if (!error) return resolve(stdout);
        const code = (error as NodeJS.ErrnoException).code;
        if (code === "ENOENT") reject(new Error(`${command} is not installed (needed to make the corpus)`));
        else reject(new Error(`${command} ${args.join(" ")} failed: ${stderr || error.message}`));
      },
    );
  });
}

/** Runs a short Python 3 program (the standard library's own writers), with the output path as argv[1]. */
export async function python(program: string, output: string, cwd: string): Promise<void> {
  await run("python3", ["-c", program, output], cwd);
}

/** Where a command writes; tests pass buffers, the binary passes process streams. */
export interface CliIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** An error the user can act on: printed as one line (no stack unless --verbose), with its exit status. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
  }
}

export const usageError = (message: string) => new CliError(message, 2);

export function writeLine(stream: NodeJS.WritableStream, line: string): void {
  stream.write(`${line}\n`);
}

export function homeOf(io: CliIo): string {
  return io.env.STEPMATICA_HOME || `${io.cwd}/.stepmatica`; // set but empty means unset
}

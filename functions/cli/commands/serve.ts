import { parseArgs } from "node:util";
import { localDashboardDeps } from "../../dashboard/local-deps.ts";
import { startDashboardServer } from "../../dashboard/server.ts";
import { CliError, type CliIo, usageError, writeLine } from "../io.ts";
import { openCliRuntime } from "../runtime.ts";

const DEFAULT_PORT = 8040;

/**
 * `stepmatica serve [--port N] [--out DIR]`: the dashboard and its API on 127.0.0.1, with the
 * embedded runtime's workers running, so transfers started from the page run in this process.
 * The first line printed is the page's address with its token. Stops on SIGINT / SIGTERM.
 */
export async function serveCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { port: { type: "string" }, out: { type: "string" }, verbose: { type: "boolean" } },
  });
  if (positionals.length > 0) throw usageError("serve takes no arguments");
  const portText = values.port ?? String(DEFAULT_PORT);
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) throw usageError(`--port must be 0..65535, got "${portText}"`);

  const fixedToken = io.env.STEPMATICA_TOKEN;
  if (fixedToken !== undefined && !/^[\w-]{24,}$/.test(fixedToken))
    throw usageError("STEPMATICA_TOKEN must be at least 24 letters, digits, - or _ (or unset: a random one)");

  const rt = await openCliRuntime(io, { ...(values.out ? { out: values.out } : {}), keepServing: true });
  let server: Awaited<ReturnType<typeof startDashboardServer>>;
  try {
    server = await startDashboardServer({
      deps: localDashboardDeps(rt, (line) => writeLine(io.stderr, line)),
      port,
      ...(fixedToken ? { token: fixedToken } : {}),
    });
  } catch (error) {
    await rt.close();
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE")
      throw new CliError(`port ${port} on 127.0.0.1 is in use: choose another with --port`);
    throw error;
  }
  writeLine(io.stdout, server.url);
  writeLine(io.stderr, `stepmatica dashboard on ${server.url} (Ctrl-C stops it)`);

  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
  await server.close();
  await rt.close();
  writeLine(io.stderr, "stepmatica dashboard stopped");
  return 0;
}

import { CliError, type CliIo, writeLine } from "./io.ts";

const USAGE = `usage: stepmatica <command> [options]

  run PATH [--out DIR] [--config default|automated|FILE.json] [--set KEY=VALUE]...
           [--id UUID] [--deterministic] [--external-id REF] [--json] [--verbose]
  resume ID [--json]          continue a run that was interrupted
  status ID [--json]          microservices -> jobs -> tasks, exit codes
  list [--json]               units and their status
  serve [--port N] [--out DIR]  dashboard and its API on 127.0.0.1 (prints its URL with a token)
  validate-bag DIR            exit 0 valid, 1 invalid
  identify [--json] [--signatures F] [--container-signatures F] PATH...
                              PRONOM formats (default: the shipped official signature files)
  signatures show | update [--allow-older] FILE...
                              the PRONOM signature files in use; install newer ones
  audit [--all] [--limit N] [--rehash] [--out DIR] [--json]
                              re-verify stored AIPs' fixity (oldest audit first), record PREMIS events
  bench [--json] [--quick] [--large]
                              generate workloads, measure, print a table (--large: 200,000 files too)
  doctor [--json] [--install] [--with-browser]
                              tools found, their versions, virus database state, PRONOM signatures;
                              --install installs missing tools when it can (root or passwordless sudo)

Environment: STEPMATICA_HOME (default ./.stepmatica), DATABASE_URL, REDIS_URL, SOURCE_DATE_EPOCH,
  STEPMATICA_JOB_TIMEOUTS="job=seconds,…" (run, resume: give named jobs a shorter timeout),
  STEPMATICA_DB_IDLE_SECONDS (the home's database owner stops this long after the last command; 60).`;

type Command = (argv: string[], io: CliIo) => Promise<number>;

/** Each command is loaded when used, so `identify` does not load the pipeline nor `run` the signatures. */
const COMMANDS: Record<string, () => Promise<Command>> = {
  run: async () => (await import("./commands/run.ts")).runCommand,
  resume: async () => (await import("./commands/resume.ts")).resumeCommand,
  status: async () => (await import("./commands/status.ts")).statusCommand,
  list: async () => (await import("./commands/list.ts")).listCommand,
  serve: async () => (await import("./commands/serve.ts")).serveCommand,
  "validate-bag": async () => (await import("./commands/validate-bag.ts")).validateBagCommand,
  identify: async () => (await import("./commands/identify.ts")).identifyCommand,
  signatures: async () => (await import("./commands/signatures.ts")).signaturesCommand,
  audit: async () => (await import("./commands/audit.ts")).auditCommand,
  bench: async () => (await import("../bench/index.ts")).benchCommand,
  doctor: async () => (await import("./commands/doctor.ts")).doctorCommand,
};

/** Runs one command line; returns the exit status (0 ok, 1 failed or rejected, 2 usage). */
export async function main(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    writeLine(name ? io.stdout : io.stderr, USAGE);
    return name ? 0 : 2;
  }
  const load = COMMANDS[name];
  if (!load) {
    writeLine(io.stderr, `stepmatica: unknown command "${name}"\n${USAGE}`);
    return 2;
  }
  try {
    const command = await load();
    return await command(rest, io);
  } catch (error) {
    const verbose = rest.includes("--verbose");
    if (error instanceof CliError) {
      writeLine(io.stderr, `stepmatica ${name}: ${error.message}`);
      return error.exitCode;
    }
    if (error instanceof TypeError && (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
      writeLine(io.stderr, `stepmatica ${name}: ${error.message}`);
      return 2;
    }
    writeLine(io.stderr, `stepmatica ${name}: ${(error as Error)?.message ?? String(error)}`);
    if (verbose && error instanceof Error && error.stack) writeLine(io.stderr, error.stack);
    return 1;
  }
}

/** `stepmatica validate-bag DIR`: exit 0 valid, 1 invalid (one line per problem on stderr), 2 usage error. */
import { stat } from "node:fs/promises";
import { validateBag } from "../../bagit/index.ts";

const USAGE = "usage: stepmatica validate-bag DIR";

export async function validateBagCommand(
  argv: string[],
  io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream },
): Promise<number> {
  const args = argv.filter((arg) => arg !== "--");
  if (args.includes("-h") || args.includes("--help")) {
    io.stdout.write(`${USAGE}\nChecks a BagIt bag (RFC 8493; BagIt 1.0 and 0.97) and prints its problems.\n`);
    return 0;
  }
  const unknownOption = args.find((arg) => arg.startsWith("-"));
  if (unknownOption || args.length !== 1) {
    const reason = unknownOption
      ? `unknown option ${unknownOption}`
      : args.length === 0
        ? "missing DIR"
        : "one DIR only";
    io.stderr.write(`validate-bag: ${reason}\n${USAGE}\n`);
    return 2;
  }
  const dir = args[0]!;
  const info = await stat(dir).catch(() => null);
  if (!info?.isDirectory()) {
    io.stderr.write(`validate-bag: ${dir}: ${info ? "not a directory" : "no such directory"}\n${USAGE}\n`);
    return 2;
  }
  let result: Awaited<ReturnType<typeof validateBag>>;
  try {
    result = await validateBag(dir);
  } catch (error) {
    // An unexpected I/O failure (permissions, a vanished file) is reported, not thrown.
    io.stderr.write(`validate-bag: ${dir}: cannot validate: ${(error as Error).message}\n`);
    return 1;
  }
  for (const warning of result.warnings) {
    io.stderr.write(`warning: ${warning.file}: ${warning.rule}: ${warning.message}\n`);
  }
  if (!result.valid) {
    for (const problem of result.problems)
      io.stderr.write(`${problem.file}: ${problem.rule}: ${problem.message}\n`);
    io.stderr.write(
      `invalid: ${dir} (${result.problems.length} problem${result.problems.length === 1 ? "" : "s"})\n`,
    );
    return 1;
  }
  io.stdout.write(`valid: ${dir} (BagIt ${result.version}, ${result.payloadFiles} files)\n`);
  return 0;
}

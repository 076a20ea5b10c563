#!/usr/bin/env node
// The `stepmatica` command: TypeScript sources run through tsx, so there is no build step.
import { register } from "tsx/esm/api";

register();
const { main } = await import("./main.ts");
const code = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
});
// Leave through process.exit once stdout is flushed: embedded servers and pools must not keep a
// finished command alive, and a piped reader must still get the last (JSON) line.
process.stdout.write("", () => process.exit(code));

#!/usr/bin/env node
// The database owner of one home (db-owner.ts), started detached by the first stepmatica process
// that needs the home's embedded database: `node db-owner.mjs HOME`.
import { register } from "tsx/esm/api";

register();
const { runOwner } = await import("./db-owner.ts");
const home = process.argv[2];
if (!home) {
  process.stderr.write("usage: db-owner.mjs HOME\n");
  process.exit(2);
}
process.exit(await runOwner(home));

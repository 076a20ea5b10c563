#!/usr/bin/env node
// Creates an embedded database's data folder (data-folder.ts), in a process of its own so that the
// memory initdb takes is given back when it ends: `node data-folder.mjs DATA_DIR`.
import { register } from "tsx/esm/api";

register();
const { createDataFolder } = await import("./data-folder.ts");
const dataDir = process.argv[2];
if (!dataDir) {
  process.stderr.write("usage: data-folder.mjs DATA_DIR\n");
  process.exit(2);
}
try {
  await createDataFolder(dataDir);
  process.exit(0);
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}

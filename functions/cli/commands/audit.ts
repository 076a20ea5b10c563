import path from "node:path";
import { parseArgs } from "node:util";
import { FolderObjectStore } from "../../adapters/local/folder-object-store.ts";
import { type AipAudit, auditAips } from "../../audit/index.ts";
import { type CliIo, usageError, writeLine } from "../io.ts";
import { openCliRuntime } from "../runtime.ts";

/**
 * `stepmatica audit [--all] [--limit N] [--rehash] [--out DIR] [--json]`: re-verifies stored AIPs
 * (those audited longest ago first; --all: every one) against their bag manifests, records a PREMIS
 * fixity-check event per AIP and reports each one. Exit 0 when every audited AIP verified, 1 otherwise.
 * Without --out each AIP is read from the folder its recorded location names.
 */
export async function auditCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      all: { type: "boolean" },
      limit: { type: "string" },
      rehash: { type: "boolean" },
      out: { type: "string" },
      json: { type: "boolean" },
      verbose: { type: "boolean" },
    },
  });
  if (positionals.length > 0) throw usageError("audit takes no arguments");
  const limit = values.limit === undefined ? 50 : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1)
    throw usageError(`--limit must be a positive integer, got "${values.limit}"`);
  const rt = await openCliRuntime(io, { workers: false, ...(values.out ? { out: values.out } : {}) });
  try {
    const fixed = values.out ? rt.objects : null;
    const results = await auditAips(
      {
        store: rt.store,
        agents: rt.agents,
        objectsFor: (aip) => fixed ?? new FolderObjectStore(path.dirname(aip.location)),
      },
      { all: Boolean(values.all), limit, rehash: Boolean(values.rehash) },
    );
    for (const r of results) for (const line of describe(r)) writeLine(io.stdout, line);
    const failed = results.filter((r) => r.outcome === "failed").length;
    const summary = `${results.length} AIP(s) audited: ${results.length - failed} verified, ${failed} failed`;
    writeLine(values.json ? io.stderr : io.stdout, summary);
    if (values.json) writeLine(io.stdout, JSON.stringify({ audited: results.length, failed, aips: results }));
    return failed === 0 ? 0 : 1;
  } finally {
    await rt.close();
  }
}

function describe(r: AipAudit): string[] {
  const when = r.auditedAt.toISOString();
  if (r.outcome === "verified") return [`verified  ${r.name}  ${r.objects} object(s)  ${when}`];
  return [
    `FAILED    ${r.name}  ${when}  (${r.location})`,
    ...r.mismatches.map((m) => `  ${m.file}: expected sha256 ${m.expected}, found ${m.found}`),
    ...r.problems.map((p) => `  ${p}`),
  ];
}

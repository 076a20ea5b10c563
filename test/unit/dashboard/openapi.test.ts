import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { READ_ROUTES } from "../../../functions/dashboard/routes-read.ts";
import { WRITE_ROUTES } from "../../../functions/dashboard/routes-write.ts";

const SPEC = path.resolve(import.meta.dirname, "../../../functions/dashboard/openapi.yaml");

/** "^\/api\/units\/([^/]+)\/jobs$" → "/api/units/{id}/jobs" */
function template(pattern: RegExp): string {
  return pattern.source
    .replace(/^\^|\$$/g, "")
    .replace(/\\\//g, "/")
    .replace(/\(\[\^\/\]\+\)/g, "{id}");
}

describe("openapi.yaml", () => {
  it("documents every route the handler serves, with its method", async () => {
    const spec = await readFile(SPEC, "utf8");
    const routes = [...READ_ROUTES, ...WRITE_ROUTES];
    expect(routes.length).toBeGreaterThan(15);
    for (const route of routes) {
      const p = template(route.pattern);
      const at = spec.indexOf(`\n  ${p}:\n`);
      expect(at, `${p} is not in openapi.yaml`).toBeGreaterThan(0);
      const next = spec.indexOf("\n  /api/", at + 1);
      const block = spec.slice(at, next < 0 ? undefined : next);
      expect(block, `${route.method} ${p}`).toContain(`\n    ${route.method.toLowerCase()}:\n`);
    }
  });
});

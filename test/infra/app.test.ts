import { readdir, readFile, rm, stat } from "node:fs/promises";
import path from "node:path";
import { App } from "aws-cdk-lib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addStepmaticaStacks } from "../../infra/stacks/stepmatica-app.ts";
import { cdkJsonContext, REPO_ROOT, type Synthesized, synthesize } from "./synth.ts";

// The app exactly as `cdk synth --all` builds it: both environments, esbuild bundling, cdk-nag on.
let synth: Synthesized;
beforeAll(async () => {
  synth = await synthesize({ bundling: true, nag: true });
}, 180_000);
afterAll(async () => {
  if (synth) await rm(synth.outdir, { recursive: true, force: true });
});

interface Manifest {
  artifacts: Record<string, { type: string; properties?: { stackName?: string } }>;
}

describe("the CDK app, synthesized in-process", () => {
  it("synthesizes both environments offline, with no extra context, cdk-nag passing", async () => {
    const manifest = JSON.parse(await readFile(path.join(synth.outdir, "manifest.json"), "utf8")) as Manifest;
    const stackNames = Object.entries(manifest.artifacts)
      .filter(([, a]) => a.type === "aws:cloudformation:stack")
      .map(([id, a]) => a.properties?.stackName ?? id);
    expect(stackNames.sort()).toEqual(["StepmaticaProduction", "StepmaticaStaging"]);
    for (const stack of Object.values(synth.stacks))
      expect(stack.environment).toBe("aws://unknown-account/unknown-region");
  });

  it("bundles every function with esbuild, locally, into an ESM file", async () => {
    const assets = (await readdir(synth.outdir, { withFileTypes: true }))
      .filter((entry) => entry.isDirectory() && entry.name.startsWith("asset."))
      .map((entry) => entry.name);
    const bundles: string[] = [];
    for (const asset of assets) {
      const files = await readdir(path.join(synth.outdir, asset));
      if (files.includes("index.mjs")) bundles.push(asset);
    }
    // start-transfer, dispatch-job, run-tasks, api, watchdog, migrate (the same code in both environments).
    expect(bundles.length).toBeGreaterThanOrEqual(6);
    for (const bundle of bundles) {
      const code = await readFile(path.join(synth.outdir, bundle, "index.mjs"), "utf8");
      expect(code).toMatch(/export\s*\{[^}]*\bhandler\b/);
    }
  });

  it("puts the PRONOM signature files, byte-identical, beside the run-tasks bundle", async () => {
    // Identify file format runs on the light queue, i.e. in run-tasks; its engine looks for
    // signatures/ beside the bundle.
    const shipped = path.join(REPO_ROOT, "functions/identify/signatures");
    const official = (await readdir(shipped)).filter((name) => name.endsWith(".xml")).sort();
    for (const template of Object.values(synth.templates)) {
      const runTasks = Object.values(template.findResources("AWS::Lambda::Function")).filter(
        (fn) => fn.Properties.Description === "Light-queue consumer: runs tasks, settles jobs",
      );
      expect(runTasks).toHaveLength(1);
      const asset = `asset.${String(runTasks[0]!.Properties.Code.S3Key).replace(/\.zip$/, "")}`;
      const code = await readFile(path.join(synth.outdir, asset, "index.mjs"), "utf8");
      expect(code).toContain("stepmatica-identify");
      expect(code).toContain('"./signatures/"');
      const bundled = (await readdir(path.join(synth.outdir, asset, "signatures"))).filter((n) =>
        n.endsWith(".xml"),
      );
      expect(bundled.sort()).toEqual(official);
      for (const name of official) {
        const [a, b] = await Promise.all([
          readFile(path.join(shipped, name)),
          readFile(path.join(synth.outdir, asset, "signatures", name)),
        ]);
        expect(a.equals(b), `${asset}/signatures/${name}`).toBe(true);
      }
    }
  });

  it("stages the worker image's build context without node_modules, cdk.out or tests", async () => {
    const assets = (await readdir(synth.outdir)).filter((n) => n.startsWith("asset."));
    const contexts: string[] = [];
    for (const asset of assets) {
      const dockerfile = path.join(synth.outdir, asset, "functions/worker/Dockerfile");
      if (await stat(dockerfile).catch(() => null)) contexts.push(asset);
    }
    expect(contexts.length).toBeGreaterThan(0);
    for (const context of contexts) {
      const top = (await readdir(path.join(synth.outdir, context))).sort();
      expect(top).toEqual(["functions", "package-lock.json", "package.json", "workflows"]);
      // The Dockerfile copies functions/, so the worker carries the signature files too.
      const signatures = await readdir(path.join(synth.outdir, context, "functions/identify/signatures"));
      expect(signatures.filter((n) => n.endsWith(".xml")).sort()).toEqual([
        "DROID_SignatureFile_V119.xml",
        "container-signature-20240715.xml",
      ]);
      const all = await readdir(path.join(synth.outdir, context), { recursive: true });
      expect(all.filter((p) => /(^|\/)(node_modules|cdk\.out)(\/|$)|\.test\.ts$/.test(String(p)))).toEqual(
        [],
      );
    }
  });
});

describe("environment selection", () => {
  const stacksFor = (context: Record<string, unknown>) => {
    const app = new App({ context: { ...cdkJsonContext(), ...context, "aws:cdk:bundling-stacks": [] } });
    return addStepmaticaStacks(app, { nag: false }).map((s) => s.stackName);
  };

  it("-c env=staging builds only the staging stack; an account/region pins it", () => {
    expect(stacksFor({ env: "staging" })).toEqual(["StepmaticaStaging"]);
    const app = new App({
      context: {
        ...cdkJsonContext(),
        env: "production",
        account: "123456789012",
        region: "eu-central-1",
        "aws:cdk:bundling-stacks": [],
      },
    });
    const [stack] = addStepmaticaStacks(app, { nag: false });
    expect(stack!.environment).toBe("aws://123456789012/eu-central-1");
  });

  it("refuses an unknown environment before building anything", () => {
    expect(() => stacksFor({ env: "qa" })).toThrow(/context "env" must be one of staging, production/);
  });
});

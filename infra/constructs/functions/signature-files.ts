import path from "node:path";
import type { ICommandHooks } from "aws-cdk-lib/aws-lambda-nodejs";

/** Where the identification engine keeps the official PRONOM files, in the repository. */
export const SIGNATURES_SOURCE = "functions/identify/signatures";

/**
 * Bundling hooks for a function that identifies formats: esbuild bundles code only, so the PRONOM
 * signature files are copied beside the bundle, to `signatures/`, where the engine looks for them
 * (`new URL("./signatures/", import.meta.url)` resolves there once the engine is bundled).
 */
export function signatureFileHooks(): ICommandHooks {
  return {
    beforeBundling: () => [],
    beforeInstall: () => [],
    afterBundling: (inputDir: string, outputDir: string) => [
      `cp -R ${JSON.stringify(path.join(inputDir, SIGNATURES_SOURCE))} ${JSON.stringify(path.join(outputDir, "signatures"))}`,
    ],
  };
}

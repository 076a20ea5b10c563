import { type BundlingOptions, OutputFormat } from "aws-cdk-lib/aws-lambda-nodejs";

/**
 * esbuild, run locally (installed in node_modules, so no Docker): an ESM bundle for the Node.js 24
 * runtime. Everything is bundled, the AWS SDK included, so a function runs the versions the tests
 * ran. The banner gives bundled CommonJS dependencies the require/__dirname they expect in ESM.
 */
export function bundlingOptions(): BundlingOptions {
  return {
    forceDockerBundling: false,
    format: OutputFormat.ESM,
    target: "node24",
    mainFields: ["module", "main"],
    minify: true,
    sourceMap: true,
    sourcesContent: false,
    externalModules: ["pg-native"],
    banner: [
      'import { createRequire as __smCreateRequire } from "node:module";',
      'import { fileURLToPath as __smFileURLToPath } from "node:url";',
      'import { dirname as __smDirname } from "node:path";',
      "const require = __smCreateRequire(import.meta.url);",
      "const __filename = __smFileURLToPath(import.meta.url);",
      "const __dirname = __smDirname(__filename);",
    ].join(" "),
  };
}

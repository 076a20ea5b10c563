import path from "node:path";
import {
  ApplicationLogLevel,
  Architecture,
  LoggingFormat,
  Runtime,
  SystemLogLevel,
  Tracing,
} from "aws-cdk-lib/aws-lambda";
import type { NodejsFunctionProps } from "aws-cdk-lib/aws-lambda-nodejs";
import type { StageConfig } from "../../config/index.ts";
import { REPO_ROOT } from "../common.ts";
import { bundlingOptions } from "./bundling.ts";

/**
 * What every stepmatica Lambda function shares, inside the VPC or not: the handler file
 * `functions/handlers/<handlerName>.ts` bundled by esbuild without Docker, Node.js 24 on ARM64,
 * X-Ray as the stage says, JSON logs at the stage's level.
 */
export function functionDefaults(config: StageConfig, handlerName: string) {
  return {
    entry: path.join(REPO_ROOT, "functions/handlers", `${handlerName}.ts`),
    handler: "handler",
    projectRoot: REPO_ROOT,
    depsLockFilePath: path.join(REPO_ROOT, "package-lock.json"),
    runtime: Runtime.NODEJS_24_X,
    architecture: Architecture.ARM_64,
    tracing: config.operations.tracing ? Tracing.ACTIVE : Tracing.DISABLED,
    loggingFormat: LoggingFormat.JSON,
    applicationLogLevelV2: ApplicationLogLevel[config.operations.functionLogLevel],
    systemLogLevelV2: SystemLogLevel.WARN,
    bundling: bundlingOptions(),
  } satisfies NodejsFunctionProps;
}

import { beforeAll } from "vitest";
import type { StageName } from "../../infra/config/index.ts";
import { type Synthesized, sharedSynthesis } from "./synth.ts";
import { type CfnResource, resourcesOf } from "./template-queries.ts";

/** Both environments synthesized (no bundling, no cdk-nag; shared within the test process) and their templates. */
export function useTemplates() {
  let synthesized: Synthesized | undefined;
  beforeAll(async () => {
    synthesized = await sharedSynthesis();
  });
  const synth = () => {
    if (!synthesized) throw new Error("the app was not synthesized (beforeAll failed)");
    return synthesized;
  };
  return { synth, t: (stage: StageName) => synth().templates[stage] };
}

export const ref = (id: string) => ({ Ref: id });
export const arnOf = (id: string) => ({ "Fn::GetAtt": [id, "Arn"] });

/** The stepmatica functions (start-transfer, dispatch-job, run-tasks, api, watchdog) of a template. */
export function stepmaticaFunctions(
  template: ReturnType<ReturnType<typeof useTemplates>["t"]>,
): Array<[string, CfnResource]> {
  return Object.entries(resourcesOf(template, "AWS::Lambda::Function")).filter(([id]) =>
    id.startsWith("Functions"),
  );
}

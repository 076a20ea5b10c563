/**
 * The state machines as CloudFormation would hand them to Step Functions: DefinitionString and
 * DefinitionSubstitutions from a synthesized template, with CloudFormation's intrinsic functions
 * resolved the way a deployment in one account and region resolves them (plausible ARNs: the names
 * the template gives, or the logical id where it gives none). An intrinsic this resolver does not
 * know is an error, so a new kind of token in a definition is noticed rather than passed through.
 */
import type { Template } from "aws-cdk-lib/assertions";
import type { AslDefinition } from "../../workflows/compile.ts";
import type { WorkflowName } from "../../workflows/index.ts";
import { type CfnResource, only, resourcesOf } from "./template-queries.ts";

export interface Deployment {
  region: string;
  accountId: string;
}

export const DEFAULT_DEPLOYMENT: Deployment = { region: "eu-west-1", accountId: "123456789012" };

const STATE_MACHINE_PREFIX: Record<WorkflowName, string> = {
  transfer: "PipelineTransfer",
  ingest: "PipelineIngest",
};

function literalName(resource: CfnResource, key: string, fallback: string): string {
  const value = resource.Properties?.[key];
  return typeof value === "string" ? value : fallback;
}

/** The ARN a resource of the template would get in the deployment. */
function arnOf(template: Template, logicalId: string, d: Deployment): string {
  const resources = template.toJSON().Resources as Record<string, CfnResource>;
  const resource = resources[logicalId];
  if (!resource) throw new Error(`the template has no resource ${logicalId}`);
  const where = `${d.region}:${d.accountId}`;
  switch (resource.Type) {
    case "AWS::Lambda::Function":
      return `arn:aws:lambda:${where}:function:${literalName(resource, "FunctionName", logicalId)}`;
    case "AWS::StepFunctions::StateMachine":
      return `arn:aws:states:${where}:stateMachine:${literalName(resource, "StateMachineName", logicalId)}`;
    default:
      throw new Error(`no ARN rule for ${resource.Type} (${logicalId})`);
  }
}

/** Resolves Ref (pseudo parameters, Lambda functions, state machines), Fn::GetAtt Arn and Fn::Join. */
export function resolveIntrinsics(value: unknown, template: Template, d: Deployment): string {
  if (typeof value === "string") return value;
  const node = (value ?? {}) as Record<string, unknown>;
  const pseudo: Record<string, string> = {
    "AWS::Partition": "aws",
    "AWS::Region": d.region,
    "AWS::AccountId": d.accountId,
    "AWS::URLSuffix": "amazonaws.com",
  };
  if (typeof node.Ref === "string") return pseudo[node.Ref] ?? arnOf(template, node.Ref, d);
  const getAtt = node["Fn::GetAtt"] as [string, string] | undefined;
  if (getAtt?.[1] === "Arn") return arnOf(template, getAtt[0], d);
  const join = node["Fn::Join"] as [string, unknown[]] | undefined;
  if (join) return join[1].map((part) => resolveIntrinsics(part, template, d)).join(join[0]);
  throw new Error(`cannot resolve ${JSON.stringify(value).slice(0, 200)}`);
}

/** One state machine's definition text as Step Functions receives it (substitutions applied). */
export function deployedDefinitionText(
  template: Template,
  workflow: WorkflowName,
  d: Deployment = DEFAULT_DEPLOYMENT,
): { logicalId: string; name: string; arn: string; text: string } {
  const [logicalId, machine] = only(
    template,
    "AWS::StepFunctions::StateMachine",
    STATE_MACHINE_PREFIX[workflow],
  );
  const raw = resolveIntrinsics(machine.Properties?.DefinitionString, template, d);
  const substitutions = (machine.Properties?.DefinitionSubstitutions ?? {}) as Record<string, unknown>;
  const values = Object.fromEntries(
    Object.entries(substitutions).map(([key, v]) => [key, resolveIntrinsics(v, template, d)]),
  );
  const text = raw.replace(/\$\{(\w+)\}/g, (whole, key: string) => {
    if (!(key in values)) throw new Error(`${logicalId}: no substitution for ${whole}`);
    return values[key]!;
  });
  return {
    logicalId,
    name: literalName(machine, "StateMachineName", logicalId),
    arn: arnOf(template, logicalId, d),
    text,
  };
}

export function deployedDefinition(
  template: Template,
  workflow: WorkflowName,
  d: Deployment = DEFAULT_DEPLOYMENT,
): AslDefinition {
  return JSON.parse(deployedDefinitionText(template, workflow, d).text) as AslDefinition;
}

/** The dispatch-job function's name in a template (what the Task states invoke). */
export function dispatchJobFunctionArn(template: Template, d: Deployment = DEFAULT_DEPLOYMENT): string {
  const [id] = only(template, "AWS::Lambda::Function", "FunctionsDispatchJobFunction");
  return arnOf(template, id, d);
}

export const stateMachineIds = (template: Template) =>
  Object.keys(resourcesOf(template, "AWS::StepFunctions::StateMachine"));

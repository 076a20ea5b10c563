import type { Template } from "aws-cdk-lib/assertions";

export interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
  DependsOn?: string | string[];
}

/** All resources of one type, by logical id. */
export function resourcesOf(template: Template, type: string): Record<string, CfnResource> {
  return template.findResources(type) as Record<string, CfnResource>;
}

/** The one resource of a type whose logical id starts with the construct path (e.g. "StorageAipBucket"). */
export function only(template: Template, type: string, idPrefix: string): [string, CfnResource] {
  const matches = Object.entries(resourcesOf(template, type)).filter(([id]) => id.startsWith(idPrefix));
  if (matches.length !== 1) {
    throw new Error(
      `expected one ${type} with id ${idPrefix}*, found ${matches.map(([id]) => id).join(", ") || "none"}`,
    );
  }
  return matches[0]!;
}

export interface Statement {
  Effect: string;
  Action: string | string[];
  Resource?: unknown;
  Condition?: unknown;
}

/** Every IAM statement of the policies attached to a role (by the role's logical id prefix). */
export function statementsOfRole(template: Template, roleIdPrefix: string): Statement[] {
  const out: Statement[] = [];
  for (const policy of Object.values(resourcesOf(template, "AWS::IAM::Policy"))) {
    const roles = (policy.Properties?.Roles ?? []) as Array<{ Ref?: string }>;
    if (!roles.some((r) => r.Ref?.startsWith(roleIdPrefix))) continue;
    const doc = policy.Properties?.PolicyDocument as { Statement: Statement[] };
    out.push(...doc.Statement);
  }
  return out;
}

export const actionsOf = (s: Statement): string[] => (Array.isArray(s.Action) ? s.Action : [s.Action]);
export const resourcesOfStatement = (s: Statement): unknown[] =>
  s.Resource === undefined ? [] : Array.isArray(s.Resource) ? s.Resource : [s.Resource];

/** The statements granting an action (exact name) to a role. */
export function grantsOf(template: Template, roleIdPrefix: string, action: string): Statement[] {
  return statementsOfRole(template, roleIdPrefix).filter(
    (s) => s.Effect === "Allow" && actionsOf(s).includes(action),
  );
}

/** A resource property that must be present (a missing one fails with its name, not a TypeError). */
export function prop<T>(resource: CfnResource, key: string): T {
  const value = resource.Properties?.[key];
  if (value === undefined) throw new Error(`${resource.Type} has no ${key}`);
  return value as T;
}

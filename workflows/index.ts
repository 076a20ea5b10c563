import { type AslDefinition, AWAIT_DECISION_JOB, compileWorkflow, RECORD_FAILURE_JOB } from "./compile.ts";
import { ingestWorkflow } from "./ingest.ts";
import { type JobNode, type Workflow, WorkflowSchema } from "./schema.ts";
import { transferWorkflow } from "./transfer.ts";
import { checkGraph } from "./validate.ts";

export type WorkflowName = Workflow["name"];

function load(input: unknown): Workflow {
  const workflow = WorkflowSchema.parse(input);
  const problems = checkGraph(workflow);
  if (problems.length > 0)
    throw new Error(`workflow "${workflow.name}" is invalid:\n  ${problems.join("\n  ")}`);
  return workflow;
}

/** Both workflows, validated on load (schema and graph). */
export const WORKFLOWS: Record<WorkflowName, Workflow> = {
  transfer: load(transferWorkflow),
  ingest: load(ingestWorkflow),
};

/** The job declarations of a workflow by id, the failure recorder included. */
export function jobsOf(name: WorkflowName): Map<string, JobNode> {
  const jobs = new Map<string, JobNode>();
  for (const node of WORKFLOWS[name].nodes) if (node.kind === "job") jobs.set(node.id, node);
  jobs.set(RECORD_FAILURE_JOB.id, RECORD_FAILURE_JOB);
  jobs.set(AWAIT_DECISION_JOB.id, AWAIT_DECISION_JOB);
  return jobs;
}

export function compiled(name: WorkflowName): AslDefinition {
  return compileWorkflow(WORKFLOWS[name]);
}

/** A job's declaration by id, in whichever workflow declares it (ids are unique across workflows). */
export function findJob(id: string): JobNode | undefined {
  return jobsOf("transfer").get(id) ?? jobsOf("ingest").get(id);
}

import { stateHeartbeatSeconds } from "./heartbeats.ts";
import { type DecisionNode, type JobNode, LIGHT_TASK_SECONDS, type Workflow } from "./schema.ts";

/**
 * Compiles a workflow declaration to an Amazon States Language definition (JSONPath, Standard).
 * One Task state per job, Choice states on outcomes and decisions, one failure path that records
 * the reason. The output holds `${…}` placeholders that CDK fills with definitionSubstitutions and
 * the local engine fills with local names; both run this same JSON.
 */

export const SUBSTITUTIONS = ["DispatchJobFunctionArn", "IngestStateMachineArn"] as const;
export type Substitution = (typeof SUBSTITUTIONS)[number];

export const WAIT_FOR_TASK_TOKEN = "arn:aws:states:::lambda:invoke.waitForTaskToken";
export const START_EXECUTION = "arn:aws:states:::states:startExecution";
export const RECORD_FAILURE_STATE = "record_failure";
export const FAILED_STATE = "failed";
export const SUCCEEDED_STATE = "succeeded";
export const START_INGEST_STATE = "start_ingest";

/** The failure recorder: a job like any other, so its task shows in the dashboard. */
export const RECORD_FAILURE_JOB: JobNode = {
  kind: "job",
  id: RECORD_FAILURE_STATE,
  microservice: "Failed",
  description: "Record why the unit failed",
  module: "record-failure",
  arguments: [],
  scope: "unit",
  queue: "light",
  timeoutSeconds: 300,
  taskTimeoutSeconds: LIGHT_TASK_SECONDS,
  heartbeatSeconds: 120,
  branches: [],
  next: "succeed",
  onFailure: "fail",
};

/**
 * The wait for an operator's answer at a decision point the configuration leaves open ("ask"): a
 * job without tasks whose token the answer settles (dashboard: POST /api/decisions/{id}).
 */
export const AWAIT_DECISION_JOB: JobNode = {
  kind: "job",
  id: "await_decision",
  microservice: "Approve",
  description: "Wait for an operator's decision",
  module: "await-decision",
  arguments: [],
  scope: "unit",
  queue: "light",
  /** Thirty days: a decision may wait for a person back from leave; the execution fails after that. */
  timeoutSeconds: 30 * 24 * 3600,
  /**
   * No task runs under this job, so nothing leases or heartbeats: its state carries no
   * HeartbeatSeconds (see taskState), only the thirty-day TimeoutSeconds.
   */
  heartbeatSeconds: 60,
  branches: [],
  next: "succeed",
  onFailure: "fail",
};

export type AslState = Record<string, unknown>;
export interface AslDefinition {
  Comment: string;
  StartAt: string;
  States: Record<string, AslState>;
}

/**
 * Transient Lambda errors worth retrying; dispatch-job is idempotent, so a retry is safe (and each
 * attempt has its own task token, which dispatch-job moves the job to).
 */
const LAMBDA_RETRY = {
  ErrorEquals: [
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
    "Lambda.TooManyRequestsException",
  ],
  IntervalSeconds: 2,
  MaxAttempts: 6,
  BackoffRate: 2,
};

/**
 * dispatch-job's own transient failures (DispatchRetryError). A function error is named by the
 * error the function threw, so LAMBDA_RETRY alone would send them straight to the failure path.
 */
export const DISPATCH_RETRY_ERROR = "Stepmatica.DispatchRetry";
const DISPATCH_RETRY = {
  ErrorEquals: [DISPATCH_RETRY_ERROR],
  IntervalSeconds: 2,
  MaxAttempts: 4,
  BackoffRate: 2,
};

/**
 * dispatch-job waits up to 90 s for a paused Aurora to resume (the Data API adapter); past that its
 * error is DatabaseResumingException, and the state tries again a little later.
 */
const DATABASE_RESUMING_RETRY = {
  ErrorEquals: ["DatabaseResumingException"],
  IntervalSeconds: 30,
  MaxAttempts: 4,
  BackoffRate: 2,
};

export function compileWorkflow(workflow: Workflow): AslDefinition {
  const states: Record<string, AslState> = {};
  const succeedTarget = workflow.thenStartIngest ? START_INGEST_STATE : SUCCEEDED_STATE;
  const target = (next: string) => (next === "succeed" ? succeedTarget : next);

  for (const node of workflow.nodes) {
    if (node.kind === "job") Object.assign(states, compileJob(workflow, node, target));
    else Object.assign(states, compileDecision(workflow, node, target));
  }
  if (workflow.thenStartIngest) {
    const sipId = `$.${workflow.thenStartIngest.sipIdFrom}`;
    states[START_INGEST_STATE] = {
      Type: "Task",
      Comment: "Start the ingest workflow on the SIP (idempotent: the execution is named after the SIP)",
      Resource: START_EXECUTION,
      Parameters: {
        StateMachineArn: "${IngestStateMachineArn}",
        "Name.$": sipId,
        Input: {
          "unit.$": sipId,
          "config.$": "$.config",
          "AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$": "$$.Execution.Id",
        },
      },
      ResultPath: "$.ingest",
      Retry: [{ ErrorEquals: ["StepFunctions.SdkClientException"], IntervalSeconds: 2, MaxAttempts: 5 }],
      Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.error", Next: RECORD_FAILURE_STATE }],
      Next: SUCCEEDED_STATE,
    };
  }
  states[RECORD_FAILURE_STATE] = {
    ...taskState(workflow, RECORD_FAILURE_JOB, { "error.$": "$.error" }),
    Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.recordFailureError", Next: FAILED_STATE }],
    Next: FAILED_STATE,
  };
  states[FAILED_STATE] = { Type: "Fail", ErrorPath: "$.error.Error", CausePath: "$.error.Cause" };
  states[SUCCEEDED_STATE] = { Type: "Succeed" };
  return { Comment: workflow.comment, StartAt: workflow.startAt, States: states };
}

/**
 * The States Language says HeartbeatSeconds MUST be smaller than TimeoutSeconds; Step Functions
 * refuses the whole state machine otherwise. A declaration that breaks it is a compile error.
 */
export function checkJobLimits(workflow: string, job: JobNode): void {
  if (job.id !== AWAIT_DECISION_JOB.id && job.heartbeatSeconds >= job.timeoutSeconds) {
    throw new Error(
      `workflow ${workflow}, job ${job.id}: heartbeatSeconds (${job.heartbeatSeconds}) must be smaller than timeoutSeconds (${job.timeoutSeconds})`,
    );
  }
}

function taskState(workflow: Workflow, job: JobNode, extraPayload: Record<string, string> = {}): AslState {
  checkJobLimits(workflow.name, job);
  // An operator's answer settles a decision; no task heartbeats it, so it has only its timeout.
  // Other jobs: as long as what sends their heartbeats needs (workflows/heartbeats.ts).
  const seconds = job.id === AWAIT_DECISION_JOB.id ? null : stateHeartbeatSeconds(job);
  const heartbeat = seconds === null ? {} : { HeartbeatSeconds: seconds };
  return {
    Type: "Task",
    Comment: `${job.microservice}: ${job.description}`,
    Resource: WAIT_FOR_TASK_TOKEN,
    Parameters: {
      FunctionName: "${DispatchJobFunctionArn}",
      Payload: {
        workflow: workflow.name,
        job: job.id,
        "unit.$": "$.unit",
        "execution.$": "$$.Execution.Id",
        "enteredAt.$": "$$.State.EnteredTime",
        "token.$": "$$.Task.Token",
        ...extraPayload,
      },
    },
    ResultPath: `$.jobs.${job.id}`,
    TimeoutSeconds: job.timeoutSeconds,
    ...heartbeat,
    Retry: [LAMBDA_RETRY, DISPATCH_RETRY, DATABASE_RESUMING_RETRY],
  };
}

function compileJob(
  workflow: Workflow,
  job: JobNode,
  target: (next: string) => string,
): Record<string, AslState> {
  const outcome = `${job.id}__outcome`;
  const failed = `${job.id}__failed`;
  const exitCode = `$.jobs.${job.id}.exitCode`;
  return {
    [job.id]: {
      ...taskState(workflow, job),
      Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.error", Next: RECORD_FAILURE_STATE }],
      Next: outcome,
    },
    [outcome]: {
      Type: "Choice",
      Comment: "A job's exit code is the max of its tasks' exit codes: 0 succeeds, a branch code branches",
      Choices: [
        { Variable: exitCode, NumericEquals: 0, Next: target(job.next) },
        ...job.branches.map((b) => ({ Variable: exitCode, NumericEquals: b.exitCode, Next: target(b.next) })),
      ],
      Default: failed,
    },
    [failed]: {
      Type: "Pass",
      Result: { Error: job.onFailure === "reject" ? "Rejected" : "JobFailed", Cause: job.id },
      ResultPath: "$.error",
      Next: RECORD_FAILURE_STATE,
    },
  };
}

function compileDecision(
  workflow: Workflow,
  node: DecisionNode,
  target: (next: string) => string,
): Record<string, AslState> {
  const variable = `$.${node.on}`;
  const choose: AslState = {
    Type: "Choice",
    Comment: `${node.microservice}: ${node.description}`,
    Choices: node.choices.map((choice) => {
      const test: Record<string, unknown> = { Variable: variable };
      if (choice.greaterThan !== undefined) test.NumericGreaterThan = choice.greaterThan;
      else if (typeof choice.equals === "boolean") test.BooleanEquals = choice.equals;
      else if (typeof choice.equals === "number") test.NumericEquals = choice.equals;
      else test.StringEquals = choice.equals;
      return { And: [{ Variable: variable, IsPresent: true }, test], Next: target(choice.next) };
    }),
    Default: target(node.default),
  };
  if (!node.on.startsWith("config.")) return { [node.id]: choose };
  // A configuration key may be "ask": then the run waits for an operator's answer, which replaces
  // "ask" in $.config before the decision is taken.
  const key = node.on.slice("config.".length);
  const ask = `${node.id}__ask`;
  const answer = `${node.id}__answer`;
  const chooseState = `${node.id}__choose`;
  return {
    [node.id]: {
      Type: "Choice",
      Comment: `${node.microservice}: is "${key}" left to an operator?`,
      Choices: [
        {
          And: [
            { Variable: variable, IsPresent: true },
            { Variable: variable, StringEquals: "ask" },
          ],
          Next: ask,
        },
      ],
      Default: chooseState,
    },
    [ask]: {
      ...taskState(workflow, AWAIT_DECISION_JOB, { decision: node.id, key }),
      ResultPath: `$.decisions.${node.id}`,
      Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.error", Next: RECORD_FAILURE_STATE }],
      Next: answer,
    },
    [answer]: {
      Type: "Pass",
      Comment: "The operator's answer becomes the configuration value",
      InputPath: `$.decisions.${node.id}.value`,
      ResultPath: variable,
      Next: chooseState,
    },
    [chooseState]: choose,
  };
}

/** Replaces `${Name}` placeholders, as Step Functions' definitionSubstitutions does. */
export function substitute(definition: AslDefinition, values: Record<Substitution, string>): AslDefinition {
  const text = JSON.stringify(definition).replace(/\$\{(\w+)\}/g, (whole, name: string) =>
    name in values ? values[name as Substitution] : whole,
  );
  return JSON.parse(text) as AslDefinition;
}

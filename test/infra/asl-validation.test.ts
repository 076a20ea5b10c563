/**
 * The state machines `cdk deploy` ships, checked by two validators we did not write: asl-validator
 * (JSON schema and graph checks of the States Language) and the Step Functions interpreter embedded
 * in moto (LocalStack's parser), through CreateStateMachine as the service is called. The definitions
 * come from the synthesized templates, substitutions and CloudFormation tokens resolved.
 */
import { DescribeStateMachineCommand, SFNClient } from "@aws-sdk/client-sfn";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StageName } from "../../infra/config/index.ts";
import type { AslDefinition } from "../../workflows/compile.ts";
import type { WorkflowName } from "../../workflows/index.ts";
import { aslValidatorProblems } from "../helpers/asl-validator.ts";
import { type MotoServer, startMotoServer } from "../helpers/local-aws/moto-server.ts";
import { deployedDefinition, deployedDefinitionText } from "./deployed-definitions.ts";
import { type Synthesized, sharedSynthesis } from "./synth.ts";

let synth: Synthesized;
let moto: MotoServer;
let sfn: SFNClient;
let created = 0;

beforeAll(async () => {
  // One after the other: on a busy machine the two together starve moto's start.
  synth = await sharedSynthesis();
  moto = await startMotoServer();
  sfn = new SFNClient({
    region: moto.region,
    endpoint: moto.endpoint,
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
}, 300_000);
afterAll(async () => {
  sfn?.destroy();
  await moto?.close();
});

const STAGES: StageName[] = ["staging", "production"];
const WORKFLOWS: WorkflowName[] = ["transfer", "ingest"];

/** CreateStateMachine on moto's parser-based backend: the service's own check of a definition. */
async function createOnMoto(definition: string): Promise<string> {
  created += 1;
  return moto.createStateMachine(`validation-${created}`, definition);
}

describe("the synthesized state machines pass validators we did not write", () => {
  for (const stage of STAGES) {
    for (const workflow of WORKFLOWS) {
      it(`${stage} ${workflow}: asl-validator accepts it`, () => {
        const definition = deployedDefinition(synth.templates[stage], workflow);
        expect(aslValidatorProblems(definition)).toEqual([]);
      });

      it(`${stage} ${workflow}: moto's Step Functions parser accepts it (CreateStateMachine)`, async () => {
        const { text } = deployedDefinitionText(synth.templates[stage], workflow);
        const arn = await createOnMoto(text);
        const described = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: arn }));
        expect(JSON.parse(described.definition!)).toEqual(JSON.parse(text));
      });
    }
  }

  it("the Task states invoke the template's dispatch-job function and start its ingest machine", () => {
    const template = synth.templates.production;
    const transfer = deployedDefinitionText(template, "transfer").text;
    const ingest = deployedDefinitionText(template, "ingest");
    expect(transfer).not.toMatch(/\$\{\w+\}/);
    expect(transfer).toContain(`"StateMachineArn":"${ingest.arn}"`);
    expect(transfer).toMatch(/"FunctionName":"arn:aws:lambda:eu-west-1:123456789012:function:[^"]+"/);
  });
});

describe("the validators can fail", () => {
  /** The ingest definition with its first operator-decision wait given HeartbeatSeconds == TimeoutSeconds. */
  function withEqualHeartbeat(): AslDefinition {
    const definition = deployedDefinition(synth.templates.staging, "ingest");
    const [name, ask] = Object.entries(definition.States).find(([n]) => n.endsWith("__ask"))!;
    definition.States[name] = { ...ask, HeartbeatSeconds: ask.TimeoutSeconds };
    return definition;
  }

  it("moto's parser refuses the old definition: HeartbeatSeconds equal to TimeoutSeconds", async () => {
    await expect(createOnMoto(JSON.stringify(withEqualHeartbeat()))).rejects.toThrow(
      /refused \(400\).*'HeartbeatSeconds' interval MUST be smaller than the 'TimeoutSeconds' value, got '2592000' and '2592000'/,
    );
  });

  it("asl-validator does not check heartbeats, but refuses a transition to a state that does not exist", () => {
    expect(aslValidatorProblems(withEqualHeartbeat())).toEqual([]);
    const definition = deployedDefinition(synth.templates.staging, "transfer");
    const first = definition.States[definition.StartAt]!;
    definition.States[definition.StartAt] = { ...first, Next: "no_such_state" };
    expect(aslValidatorProblems(definition).join("\n")).toMatch(/MISSING_TRANSITION_TARGET.*no_such_state/);
  });

  it("moto's parser refuses a Task with an unknown field", async () => {
    const definition = deployedDefinition(synth.templates.staging, "transfer");
    const first = definition.States[definition.StartAt]!;
    definition.States[definition.StartAt] = { ...first, HeartbeatSecond: 10 };
    await expect(createOnMoto(JSON.stringify(definition))).rejects.toThrow(
      /refused \(400\).*mismatched input '"HeartbeatSecond"'/,
    );
  });
});

import { describe, expect, it } from "vitest";
import { getStageConfig, STAGE_NAMES, StageConfigError, selectStages } from "../../infra/config/index.ts";
import { STAGES } from "../../infra/config/stages.ts";

describe("stage configuration", () => {
  it("selects both environments without context, one with -c env=…", () => {
    expect(selectStages({}).map((c) => c.stackName)).toEqual(["StepmaticaStaging", "StepmaticaProduction"]);
    expect(selectStages({ env: "staging" }).map((c) => c.stage)).toEqual(["staging"]);
    expect(selectStages({ env: "production" }).map((c) => c.stage)).toEqual(["production"]);
  });

  it("every declared stage validates and names its stack after the stage", () => {
    for (const stage of STAGE_NAMES) {
      const config = getStageConfig(stage);
      expect(config.stackName.toLowerCase()).toContain(stage);
      expect(config.account).toBeUndefined(); // env-agnostic by default
    }
  });

  it("refuses an unknown environment, naming the context key and the choices", () => {
    expect(() => selectStages({ env: "prod" })).toThrow(StageConfigError);
    expect(() => selectStages({ env: "prod" })).toThrow(/context "env" must be one of staging, production/);
  });

  it("applies account, region and alarm e-mail overrides to the selected environment, validated", () => {
    const [config] = selectStages({
      env: "staging",
      account: "123456789012",
      region: "eu-west-1",
      alarmEmail: "ops@example.org",
    });
    expect(config).toMatchObject({
      account: "123456789012",
      region: "eu-west-1",
      alarmEmail: "ops@example.org",
    });
    expect(() => selectStages({ env: "staging", alarmEmail: "not-an-address" })).toThrow(/alarmEmail/);
    expect(() => selectStages({ env: "staging", account: "12345" })).toThrow(
      /account: an AWS account id is 12 digits/,
    );
    expect(() => selectStages({ account: "123456789012" })).toThrow(/add -c env=staging\|production/);
  });

  it("names the key of a bad value in the message", () => {
    expect(() =>
      getStageConfig("staging", { network: { maxAzs: 2, natGateways: 0, interfaceEndpoints: false } }),
    ).toThrow(/network: with natGateways = 0 .* interfaceEndpoints/);
    expect(() =>
      getStageConfig("staging", { database: { ...STAGES.staging.database, minCapacity: 8, maxCapacity: 2 } }),
    ).toThrow(/database: minCapacity must not exceed maxCapacity/);
    expect(() => getStageConfig("staging", { logRetentionDays: 10 })).toThrow(
      /logRetentionDays: must be one of/,
    );
    expect(() =>
      getStageConfig("staging", { workers: { ...STAGES.staging.workers, instanceType: "m7i.large" } }),
    ).toThrow(/workers.instanceType: an ARM64/);
    expect(() =>
      getStageConfig("staging", { workers: { ...STAGES.staging.workers, heavyTaskTimeoutSeconds: 9000 } }),
    ).toThrow(/workers.heavyTaskTimeoutSeconds/);
  });

  it("production differs where it should", () => {
    const staging = getStageConfig("staging");
    const production = getStageConfig("production");
    expect(staging.removalPolicy).toBe("destroy");
    expect(production.removalPolicy).toBe("retain");
    expect(production.database.readers).toBeGreaterThan(0);
    expect(production.database.minCapacity).toBeGreaterThan(staging.database.minCapacity);
    expect(production.workers.minTasks).toBeGreaterThan(staging.workers.minTasks);
    expect(production.workers.minInstances).toBeGreaterThan(staging.workers.minInstances);
  });
});

import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { getStageConfig } from "../../infra/config/index.ts";
import { IDLE_PRICES, idleCost, UnpricedResourceError } from "../../infra/cost/idle.ts";
import { PRICES } from "../../infra/cost/prices.ts";
import { processingCost } from "../../infra/cost/processing.ts";
import { costReport, loadProfile } from "../../infra/cost/report.ts";
import { sizesFromConfig, sizesFromTemplate } from "../../infra/cost/sizes.ts";
import type { CfnTemplate } from "../../infra/cost/template.ts";
import { REPO_ROOT } from "./synth.ts";
import { useTemplates } from "./template-fixture.ts";

const { t } = useTemplates();
const template = (stage: "staging" | "production") => t(stage).toJSON() as CfnTemplate;

describe("cost model: idle", () => {
  it("has a price entry (or an explicit free one) for every resource type of both templates", () => {
    for (const stage of ["staging", "production"] as const) {
      const types = new Set(Object.values(template(stage).Resources).map((r) => r.Type));
      expect(
        [...types].filter((type) => !IDLE_PRICES[type]),
        stage,
      ).toEqual([]);
    }
  });

  it("refuses a template with a resource type it cannot price, naming the type", () => {
    const resources = { ...template("staging").Resources, Odd: { Type: "AWS::Neptune::DBCluster" } };
    expect(() => idleCost(resources)).toThrow(UnpricedResourceError);
    expect(() => idleCost(resources)).toThrow(/no price entry for AWS::Neptune::DBCluster/);
  });

  it("prices exactly the template's chargeable resources, by logical id", () => {
    for (const stage of ["staging", "production"] as const) {
      const resources = template(stage).Resources;
      const chargeable = Object.entries(resources)
        .filter(([, r]) => "price" in IDLE_PRICES[r.Type]!)
        .map(([id]) => id)
        .sort();
      expect(
        idleCost(resources)
          .map((line) => line.id)
          .sort(),
        stage,
      ).toEqual(chargeable);
    }
  });

  it("staging idles under $40 a month: a NAT instance, no NAT gateway, Aurora that pauses, no Container Insights", () => {
    const report = costReport("staging", loadProfile(), template("staging"));
    expect(report.idle_monthly_usd).toBeLessThan(40);
    expect(report.idle_monthly_usd).toBeGreaterThan(10); // the cache, the NAT instance and the dashboard at least
    const types = report.resources.map((r) => r.type);
    expect(types).not.toContain("AWS::EC2::NatGateway");
    const nat = report.resources.find((r) => r.type === "AWS::EC2::Instance")!;
    expect(nat.basis).toMatch(/t4g\.nano/);
    expect(report.resources.find((r) => r.type === "AWS::RDS::DBInstance")!.monthly_usd).toBe(0);
    expect(report.resources.find((r) => r.type === "AWS::ECS::Cluster")!.monthly_usd).toBe(0);
    const total = report.resources.reduce((sum, r) => sum + r.monthly_usd, 0);
    expect(report.idle_monthly_usd).toBeCloseTo(total, 2);
  });

  it("production pays for what it configures: two NAT gateways, two always-on Aurora instances, a warm host", () => {
    const report = costReport("production", loadProfile(), template("production"));
    const sum = (type: string) =>
      report.resources.filter((r) => r.type === type).reduce((s, r) => s + r.monthly_usd, 0);
    expect(sum("AWS::EC2::NatGateway")).toBeCloseTo(2 * 730 * PRICES.natGatewayHour, 1);
    expect(sum("AWS::RDS::DBInstance")).toBeCloseTo(2 * 0.5 * 730 * PRICES.auroraAcuHour, 1);
    expect(sum("AWS::AutoScaling::AutoScalingGroup")).toBeGreaterThan(59);
    expect(report.idle_monthly_usd).toBeGreaterThan(report.resources[0]!.monthly_usd);
  });
});

describe("cost model: processing", () => {
  it("reads the sizes it prices from the template, and they are the configured ones", () => {
    for (const stage of ["staging", "production"] as const) {
      const config = getStageConfig(stage);
      const sizes = sizesFromTemplate(template(stage).Resources);
      expect(sizes, stage).toEqual(sizesFromConfig(config)); // what the benchmark prices with
      expect(sizes.lambdaMemoryMb).toBe(config.functions.memoryMb);
      expect(sizes.workerInstanceType).toBe(config.workers.instanceType);
      expect(sizes.workerTaskVcpus).toBe(config.workers.taskCpu / 1024);
      expect(sizes.auroraMinAcu).toBe(config.database.minCapacity);
      expect(sizes.tracing).toBe(config.operations.tracing);
      expect(sizes.stateMachineLogLevel).toBe(config.operations.stateMachineLogLevel);
      expect(sizes.logRetentionDays).toBe(config.logRetentionDays);
    }
    expect(sizesFromTemplate(template("staging").Resources).apiEgress).toBe("nat-instance");
    expect(sizesFromTemplate(template("production").Resources).apiEgress).toBe("interface-endpoints");
  });

  it("prices every counted call, and more memory or a NAT gateway costs more", () => {
    const profile = loadProfile();
    const sizes = sizesFromTemplate(template("staging").Resources);
    const base = processingCost(profile, sizes);
    for (const item of [
      "step_functions",
      "sqs",
      "data_api",
      "lambda",
      "s3_requests",
      "efs_io",
      "ec2_workers",
    ])
      expect(base.usd_per_1000_files_by_item[item], item).toBeGreaterThan(0);
    const bigger = processingCost(profile, { ...sizes, lambdaMemoryMb: sizes.lambdaMemoryMb * 2 });
    expect(bigger.usd_per_1000_files_by_item.lambda).toBeGreaterThan(base.usd_per_1000_files_by_item.lambda!);
    const nat = processingCost(profile, { ...sizes, apiEgress: "nat-gateway" });
    expect(nat.usd_per_1000_files_by_item.api_egress).toBeGreaterThan(0);
    const withData = processingCost(profile, { ...sizes, stateMachineExecutionData: true });
    expect(withData.usd_per_1000_files_by_item.cloudwatch_logs).toBeGreaterThan(
      base.usd_per_1000_files_by_item.cloudwatch_logs!,
    );
  });
});

describe("npm run cost", () => {
  it("prints the table and, with --json, one object as its last line", async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["--import", "tsx", "infra/cost/cli.ts", "--env", "staging", "--json"],
      { cwd: REPO_ROOT, maxBuffer: 10 * 2 ** 20 },
    );
    const lines = stdout.trim().split("\n");
    expect(lines[0]).toMatch(/stepmatica staging: us-east-1 on-demand list prices/);
    expect(stdout).toMatch(/total +\$\d+\.\d\d/);
    const last = JSON.parse(lines.at(-1)!);
    expect(Object.keys(last)).toEqual(
      expect.arrayContaining(["env", "idle_monthly_usd", "usd_per_1000_files", "usd_per_gb", "resources"]),
    );
    expect(last.env).toBe("staging");
    expect(last.idle_monthly_usd).toBeLessThan(40);
    expect(last.resources.length).toBeGreaterThan(5);
  }, 180_000);

  it("refuses an unknown environment with a usage error", async () => {
    const run = promisify(execFile)(
      process.execPath,
      ["--import", "tsx", "infra/cost/cli.ts", "--env", "prod"],
      {
        cwd: REPO_ROOT,
      },
    );
    await expect(run).rejects.toMatchObject({ code: 2 });
  });
});

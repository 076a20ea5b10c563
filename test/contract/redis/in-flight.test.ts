import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RedisInFlight } from "../../../functions/adapters/redis/in-flight.ts";
import { runSharedContract } from "../../helpers/local-aws/shared-contracts.ts";
import { REDIS_URL } from "../../helpers/services.ts";

const prefix = `stepmatica-test:${randomUUID()}:`;
const opened: RedisInFlight[] = [];
let admin: Redis;

function make(): RedisInFlight {
  const inFlight = new RedisInFlight({ url: REDIS_URL, keyPrefix: prefix });
  opened.push(inFlight);
  return inFlight;
}

beforeAll(async () => {
  admin = new Redis(REDIS_URL);
  await admin.ping().catch((error: unknown) => {
    throw new Error(`Redis at ${REDIS_URL} is not reachable (set REDIS_URL): ${String(error)}`);
  });
});

afterAll(async () => {
  await Promise.all(opened.map((inFlight) => inFlight.close().catch(() => undefined)));
  const keys = await admin.keys(`${prefix}*`);
  if (keys.length > 0) await admin.del(...keys);
  await admin.quit();
});

describe("RedisInFlight", () => {
  it("reports pending until the last task is removed, then empty", async () => {
    const inFlight = make();
    await inFlight.add("job-a", ["t1", "t2", "t3"], 60);
    expect(await inFlight.members("job-a")).toEqual(["t1", "t2", "t3"]);
    expect(await inFlight.remove("job-a", "t2")).toBe("pending");
    expect(await inFlight.remove("job-a", "t2")).toBe("pending");
    expect(await inFlight.remove("job-a", "t1")).toBe("pending");
    expect(await inFlight.remove("job-a", "t3")).toBe("empty");
    // A redelivered message after the set emptied still sees "empty" (the second settle is harmless).
    expect(await inFlight.remove("job-a", "t3")).toBe("empty");
    expect(await inFlight.members("job-a")).toEqual([]);
  });

  it("distinguishes a lost set (missing) from an emptied one", async () => {
    const inFlight = make();
    expect(await inFlight.remove("job-never", "t1")).toBe("missing");
    await inFlight.add("job-lost", ["t1", "t2"], 60);
    await admin.del(`${prefix}{job-lost}`); // what a flush or an eviction does
    expect(await inFlight.remove("job-lost", "t1")).toBe("missing");
    await inFlight.add("job-cleared", ["t1"], 60);
    await inFlight.clear("job-cleared");
    expect(await inFlight.remove("job-cleared", "t1")).toBe("missing");
  });

  it("keeps a job with no tasks as an existing, empty set", async () => {
    const inFlight = make();
    await inFlight.add("job-none", [], 60);
    expect(await inFlight.remove("job-none", "anything")).toBe("empty");
  });

  it("expires the set ttlSeconds after the last add", async () => {
    const inFlight = make();
    await inFlight.add("job-ttl", ["t1"], 30);
    expect(await admin.ttl(`${prefix}{job-ttl}`)).toBeGreaterThan(25);
    await inFlight.add("job-ttl", ["t2"], 120);
    const ttl = await admin.ttl(`${prefix}{job-ttl}`);
    expect(ttl).toBeGreaterThan(100);
    expect(ttl).toBeLessThanOrEqual(120);
    await inFlight.add("job-short", ["t1"], 1);
    await new Promise((resolve) => setTimeout(resolve, 2100));
    expect(await inFlight.remove("job-short", "t1")).toBe("missing");
  });

  it("lets exactly one of many concurrent completers see empty", async () => {
    const tasks = Array.from({ length: 200 }, (_, index) => `task-${index}`);
    const writers = [make(), make(), make(), make()];
    await writers[0]!.add("job-race", tasks, 60);
    const results = await Promise.all(
      tasks.map((task, index) => writers[index % 4]!.remove("job-race", task)),
    );
    expect(results.filter((result) => result === "empty")).toHaveLength(1);
    expect(results.filter((result) => result === "pending")).toHaveLength(199);
  });

  it("rejects bad arguments with a clear error", async () => {
    const inFlight = make();
    await expect(inFlight.add("job-bad", ["t1"], 0)).rejects.toThrow(/job-bad: ttlSeconds/);
    await expect(inFlight.add("job-bad", [""], 10)).rejects.toThrow(/invalid task id/);
    await expect(inFlight.remove("", "t1")).rejects.toThrow(/empty job id/);
  });

  it("uses the configured key prefix with a hash tag", async () => {
    const inFlight = make();
    await inFlight.add("job-key", ["t1"], 60);
    expect(await admin.exists(`${prefix}{job-key}`)).toBe(1);
  });
});

await runSharedContract("in-flight", "redis", async () => make());

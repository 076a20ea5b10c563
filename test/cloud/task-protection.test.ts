import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ecsTaskProtection } from "../../functions/worker/protection.ts";

/**
 * The ECS agent's task-protection endpoint as ECS behaves: protection granted for ExpiresInMinutes
 * from the call, lapsing after that. A minute here lasts MINUTE_MS (the same fast clock is given to
 * the worker's protection), so a "90-minute" heavy task under a 60-minute period takes 1.5 s.
 */
const MINUTE_MS = 20;
let agent: Server;
let protectedUntil = 0;
const calls: Array<{ at: number; enabled: boolean }> = [];

beforeAll(async () => {
  agent = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => {
      body += chunk;
    });
    request.on("end", () => {
      const state = JSON.parse(body) as { ProtectionEnabled: boolean; ExpiresInMinutes?: number };
      calls.push({ at: Date.now(), enabled: state.ProtectionEnabled });
      protectedUntil = state.ProtectionEnabled ? Date.now() + (state.ExpiresInMinutes ?? 120) * MINUTE_MS : 0;
      response.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  agent.listen(0, "127.0.0.1");
  await once(agent, "listening");
});

afterAll(() => {
  agent?.close();
});

describe("ECS task scale-in protection", () => {
  it("a task longer than the protection period keeps its protection until it ends", async () => {
    const uri = `http://127.0.0.1:${(agent.address() as AddressInfo).port}/v4/task`;
    const warnings: unknown[] = [];
    const protection = ecsTaskProtection(uri, {
      expiresInMinutes: 60,
      minuteMs: MINUTE_MS,
      warn: (message, extra) => warnings.push({ message, extra }),
    });
    await protection.taskStarted();
    const started = Date.now();
    const lapses: number[] = [];
    // The task runs 90 "minutes"; the agent is asked every few ms whether the task is protected.
    while (Date.now() - started < 90 * MINUTE_MS) {
      if (Date.now() > protectedUntil) lapses.push(Date.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await protection.taskEnded();
    expect(lapses, "moments (ms into the task) without protection").toEqual([]);
    expect(protectedUntil).toBe(0);
    const renewals = calls.filter((c) => c.enabled).length;
    expect(renewals).toBeGreaterThanOrEqual(3); // the start, then every 20 "minutes"
    expect(calls.at(-1)).toMatchObject({ enabled: false });
    expect(warnings).toEqual([]);
    // Idle: no renewal keeps an idle worker protected.
    const before = calls.length;
    await new Promise((resolve) => setTimeout(resolve, 40 * MINUTE_MS));
    expect(calls.length).toBe(before);
  });
});

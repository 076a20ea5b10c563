import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { InFlight } from "../../../functions/ports/in-flight.ts";

/** The InFlight port's contract: every adapter (memory, Redis/ElastiCache) must pass it. */
export function inFlightContract(
  name: string,
  make: () => Promise<InFlight & { flush?(): Promise<void> | void }>,
) {
  describe(`InFlight contract: ${name}`, () => {
    let inFlight: InFlight;
    beforeEach(async () => {
      inFlight = await make();
    });
    afterEach(async () => {
      await inFlight.close();
    });

    it("reports pending until the last task is removed, then empty", async () => {
      await inFlight.add("job-a", ["t1", "t2", "t3"], 60);
      expect(await inFlight.remove("job-a", "t1")).toBe("pending");
      expect(await inFlight.remove("job-a", "t3")).toBe("pending");
      expect(await inFlight.members("job-a")).toEqual(["t2"]);
      expect(await inFlight.remove("job-a", "t2")).toBe("empty");
    });

    it("a repeated removal after the set emptied still says empty (a redelivered message settles again)", async () => {
      await inFlight.add("job-b", ["t1"], 60);
      expect(await inFlight.remove("job-b", "t1")).toBe("empty");
      expect(await inFlight.remove("job-b", "t1")).toBe("empty");
    });

    it("says missing for a job with no set (lost or cleared cache)", async () => {
      expect(await inFlight.remove("job-never-added", "t1")).toBe("missing");
      await inFlight.add("job-c", ["t1", "t2"], 60);
      await inFlight.clear("job-c");
      expect(await inFlight.remove("job-c", "t1")).toBe("missing");
    });

    it("exactly one of many concurrent removers sees the set empty", async () => {
      const ids = Array.from({ length: 200 }, (_, i) => `t${i}`);
      await inFlight.add("job-d", ids, 60);
      const results = await Promise.all(ids.map((id) => inFlight.remove("job-d", id)));
      expect(results.filter((r) => r === "empty")).toHaveLength(1);
      expect(results.filter((r) => r === "pending")).toHaveLength(199);
    });

    it("holds a job of 10,000 tasks (more than one script call can unpack)", async () => {
      const ids = Array.from({ length: 10_000 }, (_, i) => `t${i}`);
      await inFlight.add("job-big", ids, 60);
      expect((await inFlight.members("job-big")).length).toBe(10_000);
      for (const id of ids.slice(0, 9_999)) await inFlight.remove("job-big", id);
      expect(await inFlight.remove("job-big", "t9999")).toBe("empty");
    });

    it("add extends a set; sets of different jobs are independent", async () => {
      await inFlight.add("job-e", ["t1"], 60);
      await inFlight.add("job-e", ["t2"], 60);
      await inFlight.add("job-f", ["t1"], 60);
      expect(await inFlight.remove("job-e", "t1")).toBe("pending");
      expect(await inFlight.remove("job-f", "t1")).toBe("empty");
      expect(await inFlight.members("job-e")).toEqual(["t2"]);
    });

    it("a set expires after its time to live", async () => {
      await inFlight.add("job-g", ["t1", "t2"], 1);
      await new Promise((r) => setTimeout(r, 2100));
      expect(await inFlight.remove("job-g", "t1")).toBe("missing");
    });
  });
}

import { describe, expect, it } from "vitest";
import { ratioAtQuickestTools } from "../../functions/bench/floor.ts";

describe("the floor's figure with the least drift on the tools' side", () => {
  it("is the ratio of the round whose tools ran quickest, not the median round's", () => {
    // The rounds of a bench on a drifting machine (BENCHMARKS.md, "A sixth machine").
    const rounds = [
      { ratio: 1.17, tools_s: 16.53 },
      { ratio: 1.23, tools_s: 17.4 },
      { ratio: 1.99, tools_s: 11.95 },
    ];
    expect(ratioAtQuickestTools(rounds)).toBe(1.99);
    expect(ratioAtQuickestTools([{ ratio: 1.5, tools_s: 10 }])).toBe(1.5);
    expect(
      ratioAtQuickestTools([
        { ratio: 1.4, tools_s: 10 },
        { ratio: 1.6, tools_s: 10 },
      ]),
    ).toBe(1.4);
  });
});

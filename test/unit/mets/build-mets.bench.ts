/** `npx vitest bench --run test/unit/mets`: METS generation speed for a 10,000-file package. */
import { bench, describe } from "vitest";
import { buildMets } from "../../../functions/mets/index.ts";
import { largeInput } from "./sample-aip.ts";

const input = largeInput(10_000);

describe("buildMets", () => {
  bench("10,000 files, 4 events each, 3 agents", () => {
    buildMets(input);
  }, { iterations: 10, warmupIterations: 2 });
});

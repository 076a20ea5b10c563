/** `npx vitest bench --run test/unit/mets`: METS generation speed for a 10,000-file package. */
import { bench, describe } from "vitest";
import { buildMets, writeMets } from "../../../functions/mets/index.ts";
import { largeInput } from "./sample-aip.ts";

const input = largeInput(10_000);
const options = { iterations: 10, warmupIterations: 2 };

describe("METS for 10,000 files, 4 events each, 3 agents (~118 M characters)", () => {
  bench(
    "buildMets (one string)",
    () => {
      buildMets(input);
    },
    options,
  );

  bench(
    "writeMets (64 KiB chunks to a sink)",
    () => {
      let characters = 0;
      writeMets(input, (chunk) => {
        characters += chunk.length;
      });
      if (characters === 0) throw new Error("nothing written");
    },
    options,
  );
});

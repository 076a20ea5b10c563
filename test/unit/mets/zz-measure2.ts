import { writeMets, buildMets } from "../../../functions/mets/index.ts";
import { largeInput } from "./sample-aip.ts";
const input = largeInput(10000);
for (let k = 0; k < 4; k++) {
  let n = 0;
  let t = performance.now(); writeMets(input, (c) => { n += c.length; }); console.log("writeMets→count", (performance.now()-t).toFixed(0), "ms", n);
  t = performance.now(); const x = buildMets(input); console.log("buildMets", (performance.now()-t).toFixed(0), "ms", x.length);
}

import { buildMets } from "../../../functions/mets/index.ts";
import { parseMetsSummary } from "../../../functions/mets/summary.ts";
import { largeInput } from "./sample-aip.ts";
const n = Number(process.argv[2] ?? 10000);
const input = largeInput(n);
for (let k = 0; k < 3; k++) {
let t = performance.now(); const xml = buildMets(input); console.log("build", (performance.now()-t).toFixed(0), "ms", (xml.length/1e6).toFixed(1), "M chars");
if (k === 2 && process.argv[3]) { t = performance.now(); const s = parseMetsSummary(xml); console.log("summary", (performance.now()-t).toFixed(0), "ms", s.files.length); }
}

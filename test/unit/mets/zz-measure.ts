import { buildMets } from "../../../functions/mets/index.ts";
import { parseMetsSummary } from "../../../functions/mets/summary.ts";
import { validateMetsXml } from "../../helpers/xsd.ts";
import { largeInput } from "./sample-aip.ts";
const input = largeInput(10_000);
let t = performance.now(); const xml = buildMets(input); console.log("build", (performance.now()-t).toFixed(0), "ms", (xml.length/1e6).toFixed(1), "M chars");
t = performance.now(); const s = parseMetsSummary(xml); console.log("summary", (performance.now()-t).toFixed(0), "ms", s.files.length);
t = performance.now(); const r = await validateMetsXml(xml); console.log("validate", (performance.now()-t).toFixed(0), "ms", r.valid, r.errors.slice(0,3));

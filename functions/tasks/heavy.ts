import type { TaskModule } from "../core/task-module.ts";
import { characterize } from "./characterize.ts";
import { compressAip } from "./compress-aip.ts";
import { uploadDip } from "./dip.ts";
import { extractPackages } from "./extract-packages.ts";
import { normalize } from "./normalize.ts";
import { prepareAip } from "./prepare-aip.ts";
import { scanForViruses } from "./scan-for-viruses.ts";
import { storeAip } from "./store-aip.ts";
import { validateFormats } from "./validate-formats.ts";
import { verifyBag } from "./verify-bag.ts";
import { verifyTransferChecksums } from "./verify-transfer-checksums.ts";

/**
 * The modules of the jobs the workflows put on the heavy queue: run by the ECS worker, whose image
 * has the system tools and the native packages (sharp, ExifTool, 7-Zip) they load.
 */
export const HEAVY_TASK_MODULES: ReadonlyMap<string, TaskModule> = new Map(
  [
    verifyBag,
    verifyTransferChecksums,
    scanForViruses,
    extractPackages,
    characterize,
    validateFormats,
    normalize,
    prepareAip,
    compressAip,
    storeAip,
    uploadDip,
  ].map((m) => [m.name, m]),
);

import type { TaskModule } from "../core/task-module.ts";
import { assignChecksums } from "./assign-checksums.ts";
import { characterize } from "./characterize.ts";
import { compressAip } from "./compress-aip.ts";
import { moveDip, uploadDip } from "./dip.ts";
import { extractPackages } from "./extract-packages.ts";
import { generateMets } from "./generate-mets.ts";
import { normalize } from "./normalize.ts";
import { prepareAip } from "./prepare-aip.ts";
import { scanForViruses } from "./scan-for-viruses.ts";
import { stageTransfer } from "./stage-transfer.ts";
import { storeAip } from "./store-aip.ts";
import { validateFormats } from "./validate-formats.ts";
import { verifyBag } from "./verify-bag.ts";
import { verifyTransferChecksums } from "./verify-transfer-checksums.ts";

/**
 * The modules of the jobs the workflows put on the heavy queue: run by the ECS worker, whose image
 * has the system tools and the native packages (sharp, ExifTool, 7-Zip) they load, and whose tasks
 * may run for hours (staging a transfer of up to maxTransferBytes from S3, hashing whole files,
 * copying a DIP's originals, writing the METS of a unit of any size): longer than a Lambda function may.
 */
export const HEAVY_TASK_MODULES: ReadonlyMap<string, TaskModule> = new Map(
  [
    stageTransfer,
    verifyBag,
    assignChecksums,
    verifyTransferChecksums,
    scanForViruses,
    extractPackages,
    characterize,
    validateFormats,
    generateMets,
    normalize,
    prepareAip,
    compressAip,
    storeAip,
    moveDip,
    uploadDip,
  ].map((m) => [m.name, m]),
);

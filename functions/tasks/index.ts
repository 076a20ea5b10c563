import type { TaskModule } from "../core/task-module.ts";
import { assignChecksums } from "./assign-checksums.ts";
import { assignFileUuids } from "./assign-file-uuids.ts";
import { changeFilenames } from "./change-filenames.ts";
import { characterize } from "./characterize.ts";
import { cleanUp } from "./clean-up.ts";
import { completeTransfer } from "./complete-transfer.ts";
import { compressAip } from "./compress-aip.ts";
import { createSip } from "./create-sip.ts";
import { moveDip, uploadDip } from "./dip.ts";
import { extractPackages } from "./extract-packages.ts";
import { generateMets } from "./generate-mets.ts";
import { identifyFileFormat } from "./identify-file-format.ts";
import { manualNormalization } from "./manual-normalization.ts";
import { normalize } from "./normalize.ts";
import { prepareAip } from "./prepare-aip.ts";
import { recordFailure } from "./record-failure.ts";
import { renameWithUnitUuid } from "./rename-with-unit-uuid.ts";
import { scanForViruses } from "./scan-for-viruses.ts";
import { stageTransfer } from "./stage-transfer.ts";
import { storeAip } from "./store-aip.ts";
import { validateFormats } from "./validate-formats.ts";
import { verifyBag } from "./verify-bag.ts";
import { verifySipCompliance } from "./verify-sip-compliance.ts";
import { verifyTransferChecksums } from "./verify-transfer-checksums.ts";
import { verifyTransferCompliance } from "./verify-transfer-compliance.ts";

/** Every task module by the name the workflows use. One module per command, as Archivematica's client scripts. */
export const TASK_MODULES: ReadonlyMap<string, TaskModule> = new Map(
  [
    stageTransfer,
    verifyTransferCompliance,
    renameWithUnitUuid,
    assignFileUuids,
    assignChecksums,
    generateMets,
    completeTransfer,
    createSip,
    verifySipCompliance,
    prepareAip,
    storeAip,
    cleanUp,
    characterize,
    validateFormats,
    normalize,
    manualNormalization,
    compressAip,
    moveDip,
    uploadDip,
    recordFailure,
    changeFilenames,
    extractPackages,
    identifyFileFormat,
    scanForViruses,
    verifyBag,
    verifyTransferChecksums,
  ].map((m) => [m.name, m]),
);

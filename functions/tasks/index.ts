import type { TaskModule } from "../core/task-module.ts";
import { assignChecksums } from "./assign-checksums.ts";
import { assignFileUuids } from "./assign-file-uuids.ts";
import { characterize } from "./characterize.ts";
import { cleanUp } from "./clean-up.ts";
import { compressAip } from "./compress-aip.ts";
import { moveDip, uploadDip } from "./dip.ts";
import { completeTransfer } from "./complete-transfer.ts";
import { createSip } from "./create-sip.ts";
import { generateMets } from "./generate-mets.ts";
import { normalize } from "./normalize.ts";
import { prepareAip } from "./prepare-aip.ts";
import { recordFailure } from "./record-failure.ts";
import { renameWithUnitUuid } from "./rename-with-unit-uuid.ts";
import { stageTransfer } from "./stage-transfer.ts";
import { storeAip } from "./store-aip.ts";
import { validateFormats } from "./validate-formats.ts";
import { verifySipCompliance } from "./verify-sip-compliance.ts";
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
    compressAip,
    moveDip,
    uploadDip,
    recordFailure,
  ].map((m) => [m.name, m]),
);

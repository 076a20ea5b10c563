import type { TaskModule } from "../core/task-module.ts";
import { assignChecksums } from "./assign-checksums.ts";
import { assignFileUuids } from "./assign-file-uuids.ts";
import { cleanUp } from "./clean-up.ts";
import { completeTransfer } from "./complete-transfer.ts";
import { createSip } from "./create-sip.ts";
import { generateMets } from "./generate-mets.ts";
import { prepareAip } from "./prepare-aip.ts";
import { recordFailure } from "./record-failure.ts";
import { renameWithUnitUuid } from "./rename-with-unit-uuid.ts";
import { stageTransfer } from "./stage-transfer.ts";
import { storeAip } from "./store-aip.ts";
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
    recordFailure,
  ].map((m) => [m.name, m]),
);

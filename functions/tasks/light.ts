import type { TaskModule } from "../core/task-module.ts";
import { assignFileUuids } from "./assign-file-uuids.ts";
import { changeFilenames } from "./change-filenames.ts";
import { cleanUp } from "./clean-up.ts";
import { completeTransfer } from "./complete-transfer.ts";
import { createSip } from "./create-sip.ts";
import { identifyFileFormat } from "./identify-file-format.ts";
import { manualNormalization } from "./manual-normalization.ts";
import { recordFailure } from "./record-failure.ts";
import { renameWithUnitUuid } from "./rename-with-unit-uuid.ts";
import { verifySipCompliance } from "./verify-sip-compliance.ts";
import { verifyTransferCompliance } from "./verify-transfer-compliance.ts";

/**
 * The modules of the jobs the workflows put on the light queue: what the run-tasks Lambda carries.
 * None of them imports a heavy tool's package (sharp, exiftool-vendored, 7zip-bin), so the bundle
 * built from this file loads in Lambda without native binaries. A test checks this list against the
 * workflow declarations' `queue`, and the shipped-artifact suite runs each module from the bundle.
 */
export const LIGHT_TASK_MODULES: ReadonlyMap<string, TaskModule> = new Map(
  [
    verifyTransferCompliance,
    renameWithUnitUuid,
    assignFileUuids,
    changeFilenames,
    identifyFileFormat,
    completeTransfer,
    createSip,
    verifySipCompliance,
    manualNormalization,
    cleanUp,
    recordFailure,
  ].map((m) => [m.name, m]),
);

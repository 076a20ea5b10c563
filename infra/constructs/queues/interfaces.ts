import type { StageConfig } from "../../config/index.ts";

export interface QueuesProps {
  readonly config: StageConfig;
}

export const MAX_RECEIVE_COUNT = 5;

import type { StageConfig } from "../../config/index.ts";

export interface StorageProps {
  readonly config: StageConfig;
}

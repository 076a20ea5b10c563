import type { StageConfig } from "../../config/index.ts";

export interface NetworkProps {
  readonly config: StageConfig;
}

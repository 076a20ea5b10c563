/**
 * Stop a light task this long before the run-tasks function's timeout, so its claim is given back
 * rather than lost. Its own module so that the synth-time limits (infra/limits.ts) read the same
 * number without loading the handler.
 */
export const STOP_MARGIN_MS = 15_000;

/**
 * ECS task scale-in protection through the container agent's endpoint (ECS_AGENT_URI): on while
 * any task runs, so scaling in never picks a worker in the middle of a heavy task; off when idle.
 * ECS lets protection lapse after ExpiresInMinutes (so a hung worker cannot pin capacity for ever):
 * while a task runs it is renewed every third of that period, so a task of any length keeps it.
 */
export interface TaskProtection {
  taskStarted(): Promise<void>;
  taskEnded(): Promise<void>;
}

export function ecsTaskProtection(
  agentUri: string,
  options: {
    expiresInMinutes: number;
    /** The length of a minute (tests run the clock faster); renewal comes every third of the period. */
    minuteMs?: number;
    warn(message: string, extra: Record<string, unknown>): void;
  },
): TaskProtection {
  let running = 0;
  let chain = Promise.resolve();
  let renewal: NodeJS.Timeout | undefined;
  const renewEveryMs = (options.expiresInMinutes * (options.minuteMs ?? 60_000)) / 3;
  const put = (enabled: boolean) => {
    // Serialized, so an "off" never overtakes the "on" before it.
    chain = chain.then(async () => {
      try {
        const response = await fetch(`${agentUri}/task-protection/v1/state`, {
          method: "PUT",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(
            enabled
              ? { ProtectionEnabled: true, ExpiresInMinutes: options.expiresInMinutes }
              : { ProtectionEnabled: false },
          ),
          signal: AbortSignal.timeout(5_000),
        });
        if (!response.ok)
          throw new Error(`HTTP ${response.status}: ${(await response.text()).slice(0, 200)}`);
      } catch (error) {
        options.warn("ECS task protection could not be changed", { enabled, error: String(error) });
      }
    });
    return chain;
  };
  return {
    taskStarted() {
      if (++running !== 1) return Promise.resolve();
      renewal = setInterval(() => {
        if (running > 0) put(true);
      }, renewEveryMs);
      renewal.unref();
      return put(true);
    },
    taskEnded() {
      if (--running !== 0) return Promise.resolve();
      clearInterval(renewal);
      renewal = undefined;
      return put(false);
    },
  };
}

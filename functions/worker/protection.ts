/**
 * ECS task scale-in protection through the container agent's endpoint (ECS_AGENT_URI): on while
 * any task runs, so scaling in never picks a worker in the middle of a heavy task; off when idle.
 */
export interface TaskProtection {
  taskStarted(): Promise<void>;
  taskEnded(): Promise<void>;
}

export function ecsTaskProtection(
  agentUri: string,
  options: { expiresInMinutes: number; warn(message: string, extra: Record<string, unknown>): void },
): TaskProtection {
  let running = 0;
  let chain = Promise.resolve();
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
    taskStarted: () => (++running === 1 ? put(true) : Promise.resolve()),
    taskEnded: () => (--running === 0 ? put(false) : Promise.resolve()),
  };
}

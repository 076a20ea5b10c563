/** The little the adapters log: structured warnings (Powertools' Logger satisfies this interface). */
export interface AdapterLogger {
  warn(message: string, extra?: Record<string, unknown>): void;
}

export const stderrLogger: AdapterLogger = {
  warn(message, extra) {
    process.stderr.write(`${JSON.stringify({ level: "WARN", message, ...extra })}\n`);
  },
};

/**
 * Runs `work` over `items` with at most `limit` in flight (at least one); results keep the input
 * order; the first error rejects.
 */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lanes = Math.max(1, Math.min(Math.floor(limit) || 1, items.length));
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: lanes }, lane));
  return results;
}

/**
 * A gate that lets at most `limit` works run at once, whoever hands them in (at least one); the
 * others wait their turn in the order they came. For work spread over several callers at once,
 * where mapLimit bounds each caller alone.
 */
export function limiter(limit: number): <R>(work: () => Promise<R>) => Promise<R> {
  const most = Math.max(1, Math.floor(limit) || 1);
  let running = 0;
  const waiting: Array<() => void> = [];
  return async (work) => {
    if (running < most) running++;
    else await new Promise<void>((start) => waiting.push(start));
    try {
      return await work();
    } finally {
      // The place passes to the next in line, or is given back.
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  };
}

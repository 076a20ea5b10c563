/**
 * The METS writer is written once, as a generator that yields what it waits for, so the same steps
 * run synchronously over a unit held in memory (buildMets, writeMets) and asynchronously over the
 * store, a page at a time (writeMetsFromSource).
 */

/** What a source answers: at once (a unit in memory) or later (a query). */
export type Answer<T> = T | Promise<T>;

/** Writer steps: each yield is an Answer the driver resolves and sends back. */
export type Steps<T = void> = Generator<unknown, T, unknown>;

/** Waits for `answer` inside writer steps: `const page = yield* answerOf(source.page(...))`. */
export function* answerOf<T>(answer: Answer<T>): Steps<T> {
  return (yield answer) as T;
}

/** Both answers, asked at once (two queries in flight, not one after the other). */
export function* bothOf<A, B>(a: Answer<A>, b: Answer<B>): Steps<[A, B]> {
  if (a instanceof Promise || b instanceof Promise) return yield* answerOf(Promise.all([a, b]));
  return [a, b];
}

/** Runs steps whose every answer is already there; a promise means the source was not in memory. */
export function runSteps<T>(steps: Steps<T>): T {
  let next = steps.next();
  while (!next.done) {
    if (next.value instanceof Promise)
      throw new Error("runSteps: a source answered later; use runStepsAsync");
    next = steps.next(next.value);
  }
  return next.value;
}

export function runStepsAsync<T>(steps: Steps<T>): Promise<T> {
  return finishSteps(steps, steps.next());
}

/** Runs steps on from `next` (the step last taken), waiting for each answer. */
async function finishSteps<T>(steps: Steps<T>, next: IteratorResult<unknown, T>): Promise<T> {
  while (!next.done) next = steps.next(await next.value);
  return next.value;
}

/**
 * Starts steps now and gives their result as an Answer: at once when every answer was there (a
 * unit in memory), else a promise that runs the rest meanwhile, so the caller can go on (write one
 * page while the next is read) and wait for it later with answerOf. A failure waits for that call:
 * until then it is not an unhandled rejection.
 */
export function startSteps<T>(steps: Steps<T>): Answer<T> {
  let next = steps.next();
  while (!next.done) {
    if (next.value instanceof Promise) {
      const rest = finishSteps(steps, next);
      rest.catch(() => {});
      return rest;
    }
    next = steps.next(next.value);
  }
  return next.value;
}

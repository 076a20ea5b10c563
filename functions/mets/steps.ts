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

/**
 * What `turn()` yields: over the store, the event loop gets a turn (answers to reads already asked
 * are taken in, so the next page's chain of queries moves on while this page is written); over a
 * unit in memory, nothing.
 */
const TURN = Symbol("turn");

/** Lets reads started with startSteps move on while the writer works through a page. */
export function* turn(): Steps<void> {
  yield TURN;
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Every answer, asked at once (the queries in flight together, not one after the other). When one
 * fails, the others are waited for before its error is thrown: none is left running.
 */
export function* allOf<T extends readonly unknown[]>(...answers: { [K in keyof T]: Answer<T[K]> }): Steps<T> {
  if (!answers.some((answer) => answer instanceof Promise)) return answers as unknown as T;
  const outcomes = (yield* answerOf(Promise.allSettled(answers))) as PromiseSettledResult<unknown>[];
  const failed = outcomes.find((outcome) => outcome.status === "rejected");
  if (failed) throw failed.reason;
  return outcomes.map((outcome) => (outcome as PromiseFulfilledResult<unknown>).value) as unknown as T;
}

/** Waits for `answer` to be there or to have failed, whichever: its failure is not thrown here. */
export function* settled(answer: Answer<unknown>): Steps<void> {
  if (answer instanceof Promise)
    yield* answerOf(
      answer.then(
        () => undefined,
        () => undefined,
      ),
    );
}

/** Runs steps whose every answer is already there; a promise means the source was not in memory. */
export function runSteps<T>(steps: Steps<T>): T {
  let next = steps.next();
  while (!next.done) {
    if (next.value instanceof Promise)
      throw new Error("runSteps: a source answered later; use runStepsAsync");
    next = steps.next(next.value === TURN ? undefined : next.value);
  }
  return next.value;
}

export function runStepsAsync<T>(steps: Steps<T>): Promise<T> {
  return finishSteps(steps, steps.next());
}

/** Runs steps on from `next` (the step last taken), waiting for each answer. */
async function finishSteps<T>(steps: Steps<T>, next: IteratorResult<unknown, T>): Promise<T> {
  while (!next.done) {
    let answer: unknown;
    try {
      answer = next.value === TURN ? await nextTurn() : await next.value;
    } catch (error) {
      // Thrown where the steps wait, so their own try/finally runs (a read ahead is waited for).
      next = steps.throw(error);
      continue;
    }
    next = steps.next(answer);
  }
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
    next = steps.next(next.value === TURN ? undefined : next.value);
  }
  return next.value;
}

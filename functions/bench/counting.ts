import type { ObjectStore } from "../ports/object-store.ts";
import type { SqlClient } from "../ports/sql.ts";
import type { TaskQueue } from "../ports/task-queue.ts";

/** Calls a run makes through the ports, as the AWS services would bill them. */
export interface CallCounts {
  /** RDS Data API requests: one per statement, plus Begin/Commit per transaction. */
  dataApi: number;
  /** SQS requests: SendMessageBatch per 10 messages, ReceiveMessage, DeleteMessage, ChangeMessageVisibility. */
  sqs: number;
  /**
   * S3 requests: PUT per stored object, GET per read or fixity re-read (counted for an object a
   * local folder stored and hashed, which S3's fixity check would read again).
   */
  s3Put: number;
  s3Get: number;
  /** S3 LIST requests: one per 1,000 keys listed (ListObjectsV2 pages). */
  s3List: number;
  /** Queue deliveries that would be Lambda invocations (light) or worker work (heavy). */
  lightDeliveries: number;
  heavyDeliveries: number;
}

export const zeroCounts = (): CallCounts => ({
  dataApi: 0,
  sqs: 0,
  s3Put: 0,
  s3Get: 0,
  s3List: 0,
  lightDeliveries: 0,
  heavyDeliveries: 0,
});

/**
 * Statements by their text's first 100 characters (whitespace folded): how many, the milliseconds
 * waited for their answers and the characters of their parameters, for profile-run.ts. Process-wide,
 * filled by every countingSql once recordStatements() was called: measuring the parameters turns
 * them all into JSON again (60 MB on 10,000 files), work the bench's figures must not include.
 */
export const statementStats = new Map<string, { count: number; ms: number; paramChars: number }>();
let statementsRecorded = false;

/** From now on countingSql fills statementStats (profile-run.ts; the bench leaves it off). */
export function recordStatements(): void {
  statementsRecorded = true;
}

function recordStatement(text: string, params: unknown, ms: number) {
  if (!statementsRecorded) return;
  const key = text.replace(/\s+/g, " ").trim().slice(0, 100);
  const entry = statementStats.get(key) ?? { count: 0, ms: 0, paramChars: 0 };
  entry.count += 1;
  entry.ms += ms;
  entry.paramChars += JSON.stringify(params ?? []).length;
  statementStats.set(key, entry);
}

/** Wraps a SqlClient to count statements and transactions as Data API requests. */
export function countingSql(inner: SqlClient, counts: CallCounts): SqlClient {
  const wrap = (client: SqlClient): SqlClient => ({
    query: async (text, params) => {
      counts.dataApi += 1;
      const started = performance.now();
      try {
        return await client.query(text, params);
      } finally {
        recordStatement(text, params, performance.now() - started);
      }
    },
    transaction: (fn) => {
      counts.dataApi += 2; // BeginTransaction + CommitTransaction
      return client.transaction((tx) => fn(wrap(tx)));
    },
    close: () => client.close(),
  });
  return wrap(inner);
}

export function countingQueue(inner: TaskQueue, counts: CallCounts): TaskQueue {
  return {
    send: (queue, messages) => {
      counts.sqs += Math.ceil(messages.length / 10);
      return inner.send(queue, messages);
    },
    receive: async (queue, options) => {
      counts.sqs += 1;
      const got = await inner.receive(queue, options);
      if (queue === "light") counts.lightDeliveries += got.length;
      else counts.heavyDeliveries += got.length;
      return got;
    },
    delete: (queue, receipt) => {
      counts.sqs += 1;
      return inner.delete(queue, receipt);
    },
    extendVisibility: (queue, receipt, ms) => {
      counts.sqs += 1;
      return inner.extendVisibility(queue, receipt, ms);
    },
    close: () => inner.close(),
  };
}

export function countingObjects(inner: ObjectStore, counts: CallCounts): ObjectStore {
  return {
    putFile: async (key, local, options) => {
      counts.s3Put += 1;
      const stored = await inner.putFile(key, local, options);
      // A local folder hashes what it stored, so the fixity check after storing reads nothing back
      // (checkFixity); S3 cannot, and that check reads the object again: a GET the bill has.
      if (stored.storedBytesHashed) counts.s3Get += 1;
      return stored;
    },
    readRange: (key, offset, length) => {
      counts.s3Get += 1;
      return inner.readRange(key, offset, length);
    },
    getToFile: (key, local) => {
      counts.s3Get += 1;
      return inner.getToFile(key, local);
    },
    openRead: (key) => {
      counts.s3Get += 1;
      return inner.openRead(key);
    },
    head: (key) => {
      counts.s3Get += 1;
      return inner.head(key);
    },
    list: (prefix) => countedList(inner.list(prefix), counts),
    sha256: (key) => {
      counts.s3Get += 1;
      return inner.sha256(key);
    },
    locationOf: (key) => inner.locationOf(key),
  };
}

async function* countedList(keys: AsyncIterable<string>, counts: CallCounts): AsyncIterable<string> {
  let n = 0;
  counts.s3List += 1;
  for await (const key of keys) {
    n += 1;
    if (n % 1000 === 0) counts.s3List += 1;
    yield key;
  }
}

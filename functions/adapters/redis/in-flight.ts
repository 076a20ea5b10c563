import { Cluster, Redis } from "ioredis";
import type { InFlight, RemoveResult } from "../../ports/in-flight.ts";

export interface RedisInFlightOptions {
  /** `redis://[user:pass@]host:port[/db]` or `rediss://…` (TLS, as ElastiCache with in-transit encryption). */
  url: string;
  /** ElastiCache cluster mode enabled: the URL names the configuration endpoint. */
  cluster?: boolean;
  /** Default "stepmatica:inflight:". */
  keyPrefix?: string;
}

/**
 * Each job's set is ONE key that always holds a sentinel member besides the task ids: a set reduced to
 * the sentinel is "empty" (all tasks done), a key that does not exist is "missing" (flushed, evicted or
 * expired — eviction takes the whole key, so the two can never be confused). One key per script also
 * makes every script cluster-safe (all keys of a script on one slot).
 */
const SENTINEL = "\u0000stepmatica:live";
/** Task ids per add script call (well under Lua's unpack limit of about 8,000). */
const ADD_SLICE = 1000;

const ADD_SCRIPT = `
redis.call('SADD', KEYS[1], unpack(ARGV, 2))
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[1]))
return 1`;

const REMOVE_SCRIPT = `
if redis.call('SISMEMBER', KEYS[1], ARGV[2]) == 0 then return 'missing' end
redis.call('SREM', KEYS[1], ARGV[1])
if redis.call('SCARD', KEYS[1]) <= 1 then return 'empty' end
return 'pending'`;

type ScriptClient = (Redis | Cluster) & {
  inflightAdd(key: string, ttl: number, ...members: string[]): Promise<number>;
  inflightRemove(key: string, taskId: string, sentinel: string): Promise<RemoveResult>;
};

export class RedisInFlight implements InFlight {
  private readonly redis: ScriptClient;
  private readonly keyPrefix: string;

  constructor(options: RedisInFlightOptions) {
    this.keyPrefix = options.keyPrefix ?? "stepmatica:inflight:";
    const client = options.cluster
      ? connectCluster(options.url)
      : new Redis(options.url, { lazyConnect: false });
    client.defineCommand("inflightAdd", { numberOfKeys: 1, lua: ADD_SCRIPT });
    client.defineCommand("inflightRemove", { numberOfKeys: 1, lua: REMOVE_SCRIPT });
    this.redis = client as ScriptClient;
  }

  async add(jobId: string, taskIds: string[], ttlSeconds: number): Promise<void> {
    if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0) {
      throw new Error(
        `in-flight add for job ${jobId}: ttlSeconds must be a positive integer, got ${ttlSeconds}`,
      );
    }
    const bad = taskIds.find((id) => id.length === 0 || id === SENTINEL);
    if (bad !== undefined)
      throw new Error(`in-flight add for job ${jobId}: invalid task id ${JSON.stringify(bad)}`);
    // Lua's unpack() takes a few thousand values at most: a job of many tasks is added in slices.
    const key = this.key(jobId);
    for (let i = 0; i === 0 || i < taskIds.length; i += ADD_SLICE) {
      await this.redis.inflightAdd(key, ttlSeconds, SENTINEL, ...taskIds.slice(i, i + ADD_SLICE));
    }
  }

  async remove(jobId: string, taskId: string): Promise<RemoveResult> {
    if (taskId === SENTINEL) throw new Error(`in-flight remove for job ${jobId}: invalid task id`);
    return this.redis.inflightRemove(this.key(jobId), taskId, SENTINEL);
  }

  async members(jobId: string): Promise<string[]> {
    const all = await this.redis.smembers(this.key(jobId));
    return all.filter((member) => member !== SENTINEL).sort();
  }

  async clear(jobId: string): Promise<void> {
    await this.redis.del(this.key(jobId));
  }

  async close(): Promise<void> {
    await this.redis.quit();
  }

  /** The hash tag keeps a job's key on a predictable slot in cluster mode; harmless elsewhere. */
  private key(jobId: string): string {
    if (jobId.length === 0) throw new Error("in-flight: empty job id");
    return `${this.keyPrefix}{${jobId}}`;
  }
}

/** ElastiCache cluster mode: TLS certificates name the configuration endpoint, so DNS is passed through. */
function connectCluster(url: string): Cluster {
  const parsed = new URL(url);
  const tls = parsed.protocol === "rediss:";
  return new Cluster([{ host: parsed.hostname, port: Number(parsed.port || 6379) }], {
    dnsLookup: (address, callback) => callback(null, address),
    redisOptions: {
      tls: tls ? {} : undefined,
      username: parsed.username ? decodeURIComponent(parsed.username) : undefined,
      password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    },
  });
}

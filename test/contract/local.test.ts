import { statSync } from "node:fs";
import { mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FolderObjectStore } from "../../functions/adapters/local/folder-object-store.ts";
import { MemoryInFlight } from "../../functions/adapters/local/memory-in-flight.ts";
import { MemoryQueue } from "../../functions/adapters/local/memory-queue.ts";
import { RedisInFlight } from "../../functions/adapters/redis/in-flight.ts";
import { PgSql } from "../../functions/adapters/sql/pg.ts";
import { PgliteSql } from "../../functions/adapters/sql/pglite.ts";
import { DATABASE_URL, REDIS_URL, uniqueName } from "../helpers/services.ts";
import { inFlightContract } from "./suites/in-flight.ts";
import { objectStoreContract } from "./suites/object-store.ts";
import { sqlContract } from "./suites/sql.ts";
import { taskQueueContract } from "./suites/task-queue.ts";

// The embedded adapters and the real servers behind the same ports, against the same suites.
const schemas: string[] = [];
const dirs: string[] = [];
afterAll(async () => {
  for (const schema of schemas) await PgSql.dropSchema(DATABASE_URL, schema);
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

sqlContract("PGlite (embedded)", () => PgliteSql.open());
sqlContract(`PostgreSQL via pg (${DATABASE_URL.replace(/\/\/[^@]*@/, "//")})`, async () => {
  const schema = uniqueName("contract");
  schemas.push(schema);
  return PgSql.open(DATABASE_URL, { schema });
});
inFlightContract("memory", async () => new MemoryInFlight());
inFlightContract(
  `Redis (${REDIS_URL})`,
  async () => new RedisInFlight({ url: REDIS_URL, keyPrefix: `${uniqueName("ct")}:` }),
);
taskQueueContract("in-process queue", async () => new MemoryQueue());
objectStoreContract("local folder", async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "stepmatica-folder-store-"));
  dirs.push(dir);
  return new FolderObjectStore(dir);
});

describe("local folder store: a handed-over file", () => {
  async function putHandedOver(storeRoot: string) {
    const source = await mkdtemp(path.join(tmpdir(), "stepmatica-handover-"));
    dirs.push(source, storeRoot);
    const local = path.join(source, "a.txt");
    await writeFile(local, "handed over\n");
    const store = new FolderObjectStore(storeRoot);
    await store.putFile("aip/a.txt", local, { handOver: true });
    return { local, stored: store.locationOf("aip/a.txt") };
  }

  it("on the same file system is the file itself: no copy is made", async () => {
    const { local, stored } = await putHandedOver(await mkdtemp(path.join(tmpdir(), "stepmatica-store-")));
    expect((await stat(stored)).ino).toBe((await stat(local)).ino);
  });

  it("on another file system is a copy", async () => {
    // /dev/shm is a tmpfs: another file system than the temporary folder's on a machine of this kind.
    expect(statSync("/dev/shm").dev).not.toBe(statSync(tmpdir()).dev);
    const { local, stored } = await putHandedOver(await mkdtemp("/dev/shm/stepmatica-store-"));
    expect((await stat(stored)).ino).not.toBe((await stat(local)).ino);
    await rm(local);
    expect((await stat(stored)).size).toBe(12);
  });
});

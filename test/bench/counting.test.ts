import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { S3ObjectStore } from "../../functions/adapters/aws/s3-object-store.ts";
import { FolderObjectStore } from "../../functions/adapters/local/folder-object-store.ts";
import { countingObjects, zeroCounts } from "../../functions/bench/counting.ts";
import type { ObjectStore } from "../../functions/ports/object-store.ts";
import { checkFixity } from "../../functions/tasks/stored-fixity.ts";
import { type LocalS3, recordingClient, startLocalS3 } from "../helpers/local-aws/s3-server.ts";

// The cost model prices the S3 requests the bench counts through the object store port. The bench
// stores into a local folder, which hashes what it stored, so storing reads nothing back there; on S3
// the fixity check after storing reads every object again. The counts must be S3's either way.
let s3: LocalS3;
let work: string;
const files = ["a.txt", "b.txt", "c/d.txt"];
const sourceOf = (name: string) => path.join(work, "source", name.replaceAll("/", "-"));

beforeAll(async () => {
  s3 = await startLocalS3(["aips"]);
  work = await mkdtemp(path.join(tmpdir(), "stepmatica-counting-"));
  await mkdir(path.join(work, "source"));
  for (const [index, name] of files.entries()) {
    await writeFile(sourceOf(name), `file ${index}\n`.repeat(100 + index));
  }
});
afterAll(async () => {
  await s3?.close();
  await rm(work, { recursive: true, force: true });
});

/** Stores the files as store-aip does (a put each, then the fixity check) and returns the counts. */
async function storeAndCheck(store: ObjectStore) {
  const counts = zeroCounts();
  const counted = countingObjects(store, counts);
  const expected = new Map<string, string>();
  const stored = [];
  for (const name of files) {
    const local = sourceOf(name);
    const sha256 = createHash("sha256")
      .update(await readFile(local))
      .digest("hex");
    expected.set(`bag/${name}`, sha256);
    stored.push(await counted.putFile(`bag/${name}`, local, { sha256 }));
  }
  const fixity = await checkFixity(counted, stored, expected, new AbortController().signal);
  return { counts, fixity };
}

describe("the bench's S3 request counts", () => {
  it("count the GET that S3's fixity check makes, also where a local folder made none", async () => {
    const local = await storeAndCheck(new FolderObjectStore(path.join(work, "folder")));
    expect(local.fixity).toEqual({ mismatches: [], readBack: 3, reRead: 0 });

    // The same steps against S3 (s3rver), every request the SDK sends recorded.
    const { client, commands: sent } = recordingClient(s3.clientConfig);
    const remote = await storeAndCheck(new S3ObjectStore({ bucket: "aips", keyPrefix: "counting/", client }));
    expect(remote.fixity).toEqual({ mismatches: [], readBack: 0, reRead: 3 });

    const puts = sent.filter((command) => command === "PutObject").length;
    const gets = sent.filter((command) => command === "GetObject" || command === "HeadObject").length;
    expect({ puts, gets, others: sent.length - puts - gets }).toEqual({ puts: 3, gets: 3, others: 0 });
    expect(remote.counts).toMatchObject({ s3Put: puts, s3Get: gets });
    expect(local.counts).toMatchObject({ s3Put: puts, s3Get: gets });
  });
});

import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { S3Client } from "@aws-sdk/client-s3";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PgliteSql } from "../../functions/adapters/sql/pglite.ts";
import { TaskStore } from "../../functions/core/store/task-store.ts";
import { s3TransferUploads } from "../../functions/dashboard/aws/s3-links.ts";
import { localAipDownload } from "../../functions/dashboard/local-deps.ts";
import { type DashboardServer, startDashboardServer } from "../../functions/dashboard/server.ts";
import { tempDir } from "../helpers/fixtures.ts";
import { bigJobUnit, HOSTILE_STDOUT, manyUnits, type Seeded, seedStore } from "../unit/dashboard/seed.ts";
import { launchChromium } from "./browser.ts";

// The page with a big store, seeded directly (TaskStore on PGlite in memory): 1,000 units and one
// job of 10,000 tasks. What keeps it fast is that the page asks the API for a page at a time and
// renders only that page: the tests check the requests, the answers' sizes and the rows rendered.
// Render times are printed, not asserted (speed is measured in benchmarks: a timed assertion fails
// on a busy machine and says nothing on a quiet one).
/** Far more than a page of 50 units or 100 tasks (~20–40 KB), far less than all of them (~0.5–3 MB). */
const LARGEST_ANSWER_BYTES = 200_000;
const ARTIFACTS = path.resolve(import.meta.dirname, "../../test-artifacts");

let root: string;
let sql: PgliteSql;
let server: DashboardServer;
let browser: Browser;
let page: Page;
let seeded: Seeded;
let huge: { unitId: string; jobId: string };
const pageErrors: string[] = [];
/** Every API answer the page received: its path with query, and its body. */
const answers: Array<{ path: string; body: string }> = [];

beforeAll(async () => {
  root = await tempDir("browser-scale");
  const aip = path.join(root, "alpha.7z");
  await writeFile(aip, "aip");
  sql = await PgliteSql.open();
  const store = new TaskStore(sql);
  await store.migrate();
  await manyUnits(store, 1000);
  seeded = await seedStore(store, aip);
  huge = await bigJobUnit(store, 10_000);
  server = await startDashboardServer({
    port: 0,
    deps: {
      store,
      aipDownload: localAipDownload,
      // This page only reads; an intake is still required (presigning happens locally, no server).
      transfers: s3TransferUploads(
        new S3Client({ region: "eu-west-1", credentials: { accessKeyId: "x", secretAccessKey: "y" } }),
        "transfers",
        "transfers/",
      ),
    },
  });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.on("pageerror", (e) => pageErrors.push(e.message));
  page.on("response", async (response) => {
    const url = new URL(response.url());
    if (!url.pathname.startsWith("/api/")) return;
    answers.push({ path: url.pathname + url.search, body: await response.text().catch(() => "") });
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await sql?.close();
  await rm(root, { recursive: true, force: true });
});

/** The answers to requests of `path` received since `from` (an index into `answers`), parsed. */
function answersTo(path: RegExp, from: number): Array<Record<string, unknown>> {
  return answers
    .slice(from)
    .filter((a) => path.test(a.path))
    .map((a) => JSON.parse(a.body) as Record<string, unknown>);
}

function largestAnswer(): { path: string; bytes: number } {
  const sizes = answers.map((a) => ({ path: a.path, bytes: Buffer.byteLength(a.body) }));
  return sizes.sort((a, b) => b.bytes - a.bytes)[0] ?? { path: "", bytes: 0 };
}

/** Milliseconds from `action` until `ready` holds in the page. */
async function timed(action: () => Promise<unknown>, ready: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await action();
  await ready();
  return performance.now() - start;
}

describe("the dashboard with 1,000 units and a 10,000-task job", () => {
  it("lists 1,000 units a page at a time: the API is asked for 50, and 50 rows are rendered", async () => {
    let from = answers.length;
    const list = await timed(
      () => page.goto(server.url),
      () => page.waitForSelector("table.units tbody tr >> nth=49"),
    );
    expect(await page.locator("table.units tbody tr").count()).toBe(50);
    expect(await page.textContent(".pager")).toContain("1–50 of 1,005");
    // The page can show the new rows before the response listener has read the answer's body:
    // the answers are waited for, as the rows are.
    await expect.poll(() => answersTo(/^\/api\/units\?/, from).length).toBeGreaterThan(0);
    const unitPages = answersTo(/^\/api\/units\?/, from);
    for (const answer of unitPages) expect((answer.units as unknown[]).length).toBeLessThanOrEqual(50);
    from = answers.length;
    const next = await timed(
      () => page.click(".pager button:text('Next ›')"),
      () => page.locator(".pager", { hasText: "51–100" }).waitFor(),
    );
    await expect
      .poll(() => answersTo(/^\/api\/units\?/, from).map((a) => (a.units as unknown[]).length))
      .toEqual([50]);
    console.log(`render times (ms): unit list ${list.toFixed(0)}, next page ${next.toFixed(0)}`);
    await page.fill("input[type=search]", "bulk-0999");
    // (Not waitForFunction: the page's CSP refuses the eval it needs, as it should.)
    await expect.poll(() => page.locator("table.units tbody tr").count()).toBe(1);
    expect(await page.textContent("table.units tbody")).toContain("bulk-0999");
  });

  it("opens the unit with 10,000 tasks and expands its job, 100 tasks a page, failed first", async () => {
    const from = answers.length;
    const open = await timed(
      () => page.goto(`${new URL(server.url).origin}/#/units/${huge.unitId}`),
      () => page.waitForSelector(".tree .job"),
    );
    expect(await page.textContent(".tree .job summary")).toContain("10000/10000 tasks, 100 failed");
    const expand = await timed(
      () => page.click(".tree .job > summary"),
      () => page.waitForSelector(".tree .job .task >> nth=99"),
    );
    expect(await page.locator(".tree .job .task").count()).toBe(100);
    expect(await page.locator(".tree .job .task.failed").count()).toBe(100);
    expect(await page.textContent(".tree .job .pager")).toContain("1–100 of 10,000");
    const next = await timed(
      () => page.click(".tree .job .pager button:text('Next ›')"),
      () => page.locator(".tree .job .pager", { hasText: "101–200" }).waitFor(),
    );
    expect(await page.locator(".tree .job .task.failed").count()).toBe(0);
    await expect
      .poll(() => answersTo(/^\/api\/jobs\/[^/]+\/tasks\?/, from).map((a) => (a.tasks as unknown[]).length))
      .toEqual([100, 100]);
    // No answer carried the whole store: the unit's jobs, files and events came in pages too.
    expect(largestAnswer().bytes, largestAnswer().path).toBeLessThan(LARGEST_ANSWER_BYTES);
    await mkdir(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, "dashboard-10k-tasks.png") });
    console.log(
      `render times (ms): unit ${open.toFixed(0)}, expand ${expand.toFixed(0)}, next page ${next.toFixed(0)}`,
    );
  });

  it("shows a task's stdout holding HTML as text: no element made, no script run", async () => {
    await page.goto(`${new URL(server.url).origin}/#/units/${seeded.completed}`);
    const job = page.locator('.tree .job:has(> summary:has-text("Verify the transfer\'s structure"))');
    await job.locator("> summary").click();
    await job.locator(".task").first().click();
    await page.waitForSelector("#task-stdout");
    expect(await page.textContent("#task-stdout")).toBe(HOSTILE_STDOUT);
    expect(await page.locator("#task-stdout *").count()).toBe(0);
    expect(await page.locator("main img, main script").count()).toBe(0);
    expect(await page.evaluate("window.__xss")).toBeUndefined();
    expect(pageErrors).toEqual([]);
  });
});

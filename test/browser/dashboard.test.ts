import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mixedTransfer, tempDir } from "../helpers/fixtures.ts";
import { launchChromium, type ServeProcess, startServe } from "./browser.ts";

// The dashboard as a user meets it: `stepmatica serve` in its own process, Debian's Chromium,
// transfers started from the page and run by serve's workers.
const REPO = path.resolve(import.meta.dirname, "../..");
const ARTIFACTS = path.join(REPO, "test-artifacts");
// A folder name holding markup (no "/" in it): it becomes the unit's name and appears in stdout.
const HTML_NAME = `deposit <img src=x onerror="window.__xss=1"><b>bold`;

let root: string;
let serve: ServeProcess;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  root = await tempDir("browser");
  browser = await launchChromium();
  serve = await startServe(path.join(root, "home"), path.join(root, "aips"));
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.on("pageerror", (e) => pageErrors.push(e.message));
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await serve?.stop();
  await rm(root, { recursive: true, force: true });
});

async function startFromPage(source: string): Promise<void> {
  await page.fill("#start-transfer input[name=path]", source);
  await page.selectOption("#start-transfer select", "automated");
  await page.click("#start-transfer button[type=submit]");
  await page.locator("#start-transfer", { hasText: /Started [0-9a-f-]{36}/ }).waitFor();
}

/** Opens a job of the tree (if it is not open yet) and shows its first task's output. */
async function openFirstTask(jobDescription: string): Promise<void> {
  const job = page.locator(`.tree .job:has(> summary:has-text(${JSON.stringify(jobDescription)}))`).first();
  if ((await job.getAttribute("open")) === null) await job.locator("> summary").click();
  await job.locator(".task").first().click();
  await page.waitForSelector("#task-stdout");
}

/** Waits for the list (refreshed live by the server's event stream) to show a transfer with this status. */
async function waitForRow(
  name: string,
  status: string,
  type: "transfer" | "SIP" = "transfer",
): Promise<void> {
  const row = page
    .locator("table.units tbody tr")
    .filter({ has: page.getByRole("link", { name, exact: true }) })
    .filter({ has: page.locator("td", { hasText: new RegExp(`^${type}$`) }) })
    .filter({ has: page.locator(".badge", { hasText: new RegExp(`^${status}$`) }) });
  await row.waitFor({ timeout: 60_000 }).catch(async (error: Error) => {
    throw new Error(
      `${error.message}\nthe list shows:\n${await page.textContent("table.units").catch(() => "")}`,
    );
  });
}

/** A global the page would set if injected markup ever ran. */
const xssMarker = () => page.evaluate("window.__xss");

describe("the dashboard in Chromium, against stepmatica serve", () => {
  it("prints the page's URL with a token first, and refuses the API without it", async () => {
    expect(serve.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+$/);
    const origin = new URL(serve.url).origin;
    expect((await fetch(`${origin}/api/units`)).status).toBe(401);
    const noToken = await browser.newPage();
    await noToken.goto(origin);
    await noToken.waitForSelector("#notice:not([hidden])");
    expect(await noToken.textContent("#notice")).toContain("Not signed in");
    await noToken.close();
  });

  it("runs a transfer started from the page, lists it, opens it, expands a job and shows a task's stdout as text", async () => {
    const source = path.join(root, HTML_NAME);
    await mixedTransfer(source);
    await page.goto(serve.url);
    expect(page.url()).not.toContain("token=");
    await startFromPage(source);
    await waitForRow(HTML_NAME, "completed");
    await waitForRow(HTML_NAME, "completed", "SIP");
    await page.click(`table.units tbody tr:has(td:text("transfer")) a:text-is(${JSON.stringify(HTML_NAME)})`);
    await page.waitForSelector(".tree .job");
    expect(await page.textContent("#unit-name")).toBe(HTML_NAME);

    await openFirstTask("Copy the transfer onto working storage");
    const stdout = await page.textContent("#task-stdout");
    expect(stdout).toContain("staged 5 file(s)");
    expect(stdout).toContain(HTML_NAME);
    // What the job and the task cost: CPU seconds and peak memory of the worker's process tree.
    const staging = page.locator(
      '.tree .job:has(> summary:has-text("Copy the transfer onto working storage"))',
    );
    expect(await staging.locator("> summary [data-resources]").textContent()).toMatch(
      /^\d+\.\d\d s CPU · \d+ MB$/,
    );
    expect(await page.textContent("dd[data-resources]")).toMatch(/^\d+\.\d\d s CPU · \d+ MB$/);
    // The name and the stdout hold markup: it must show as text, never become elements or run.
    expect(await page.locator("main img").count()).toBe(0);
    expect(await page.locator("main b").count()).toBe(0);
    expect(await xssMarker()).toBeUndefined();

    await page.click('.tabs button:text("Timeline")');
    await page.waitForSelector(".timeline .row");
    // The timeline fills in as the unit's jobs load: wait for every job, not the first row.
    await page.waitForFunction("document.querySelectorAll('.timeline .row').length >= 13", null, {
      timeout: 15_000,
    });
    expect(await page.locator(".timeline .row").count()).toBeGreaterThanOrEqual(13);
    await page.click('.tabs button:text("Jobs")');
    await openFirstTask("Copy the transfer onto working storage");
    expect(await page.textContent("#task-stdout")).toContain("staged 5 file(s)");
    // Idle: once the last writes of the run have been shown (a refresh waits 1.5 s after a change),
    // nothing changes in the store, so the live updates fetch nothing.
    await page.waitForTimeout(3000);
    const requests: string[] = [];
    const record = (r: { url(): string }) => requests.push(r.url());
    page.on("request", record);
    await page.waitForTimeout(4000);
    page.off("request", record);
    expect(requests).toEqual([]);
    await mkdir(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, "dashboard.png"), fullPage: true });
    expect(pageErrors).toEqual([]);
  }, 120_000);

  it("opens a failed transfer and shows the failing task's stderr", async () => {
    const source = path.join(root, "no-objects");
    await mkdir(path.join(source, "metadata"), { recursive: true });
    await writeFile(path.join(source, "metadata", "notes.txt"), "metadata only, no objects\n");
    await page.goto(serve.url.replace(/\/\?token=.*/, "/#/"));
    await page.waitForSelector("#start-transfer");
    await startFromPage(source);
    await waitForRow("no-objects", "rejected");
    await page.click('table.units tbody tr:has(td:text("transfer")) a:text-is("no-objects")');
    await page.waitForSelector("#failed-tasks");
    expect(await page.textContent("#failed-tasks")).toContain("objects/: the transfer holds no files");
    expect(await page.textContent("#failed-tasks")).toContain("Verify the transfer's structure");

    await page.check("#failed-first");
    const firstJob = page.locator(".tree .job").first();
    expect(await firstJob.getAttribute("class")).toContain("failed");
    await firstJob.locator("summary").click();
    await firstJob.locator(".task").first().click();
    await page.waitForSelector("#task-stderr");
    expect(await page.textContent("#task-stderr")).toContain("objects/: the transfer holds no files");
    await page.screenshot({ path: path.join(ARTIFACTS, "dashboard-failed.png"), fullPage: true });
    expect(pageErrors).toEqual([]);
  }, 120_000);

  it("stops cleanly on SIGTERM", async () => {
    expect(await serve.stop()).toBe(0);
    expect(serve.stderr.join("\n")).toContain("stepmatica dashboard stopped");
  });
});

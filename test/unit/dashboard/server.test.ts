import { mkdir, rm, writeFile } from "node:fs/promises";
import { request } from "node:http";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openRuntime, type Runtime } from "../../../functions/cli/runtime.ts";
import { localDashboardDeps } from "../../../functions/dashboard/local-deps.ts";
import { type DashboardServer, startDashboardServer } from "../../../functions/dashboard/server.ts";
import { stepmatica } from "../../helpers/cli.ts";
import { tempDir } from "../../helpers/fixtures.ts";

let root: string;
let rt: Runtime;
let server: DashboardServer;
const logged: string[] = [];

beforeAll(async () => {
  root = await tempDir("dashboard-server");
  rt = await openRuntime({ home: path.join(root, "home"), out: path.join(root, "aips") });
  server = await startDashboardServer({ deps: localDashboardDeps(rt, (l) => logged.push(l)), port: 0 });
});

afterAll(async () => {
  await server?.close();
  await rt?.close();
  await rm(root, { recursive: true, force: true });
});

const base = () => `http://127.0.0.1:${server.port}`;
const bearer = () => ({ authorization: `Bearer ${server.token}` });

/** A raw request, for headers fetch will not let a test set (Host). */
function raw(pathname: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port: server.port, path: pathname, headers }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", reject);
    req.end();
  });
}

describe("stepmatica serve's HTTP server", () => {
  it("prints an address on 127.0.0.1 with the token, and the token is long and random", () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{32}$/);
    expect(server.url.endsWith(server.token)).toBe(true);
  });

  it("refuses API requests without the right token, and accepts it as a header or in the query", async () => {
    expect((await fetch(`${base()}/api/units`)).status).toBe(401);
    expect((await fetch(`${base()}/api/units`, { headers: { authorization: "Bearer wrong" } })).status).toBe(
      401,
    );
    expect((await fetch(`${base()}/api/units?token=${server.token.slice(1)}`)).status).toBe(401);
    expect((await fetch(`${base()}/api/stream`)).status).toBe(401);
    expect((await fetch(`${base()}/api/units`, { headers: bearer() })).status).toBe(200);
    const me = await fetch(`${base()}/api/me?token=${server.token}`);
    expect(await me.json()).toMatchObject({
      subject: "local",
      roles: ["operator"],
      transferIntake: "local-path",
    });
  });

  it("serves the page with a strict content security policy, and nothing outside its folder", async () => {
    const page = await fetch(`${base()}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<script type="module" src="app.js">');
    expect(page.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(page.headers.get("referrer-policy")).toBe("no-referrer");
    expect((await fetch(`${base()}/app.js`)).headers.get("content-type")).toContain("javascript");
    expect(await raw("/../../package.json", {})).toBe(404);
    expect(await raw("/%2e%2e/%2e%2e/package.json", {})).toBe(404);
  });

  it("refuses a request addressed to another host name (DNS rebinding)", async () => {
    expect(await raw("/", { host: `evil.example:${server.port}` })).toBe(421);
    expect(await raw("/api/units", { host: `evil.example:${server.port}`, ...bearer() })).toBe(421);
  });

  it("starts a transfer from a path, runs it in this process, and streams a change event", async () => {
    const source = path.join(root, "deposit");
    await mkdir(source, { recursive: true });
    await writeFile(path.join(source, "letter.txt"), "Dear archivist,\n");
    // Archivematica's per-transfer configuration: one choice we map (keep packages), one we cannot.
    await writeFile(
      path.join(source, "processingMCP.xml"),
      "<processingMCP><preconfiguredChoices>" +
        "<preconfiguredChoice><appliesTo>f19926dd-8fb5-4c79-8ade-c83f61f55b40</appliesTo><goToChain>72e8443e-a8eb-49a8-ba5f-76d52f960bde</goToChain></preconfiguredChoice>" +
        "<preconfiguredChoice><appliesTo>accea2bf-ba74-4a3a-bb97-614775c74459</appliesTo><goToChain>e0a39199-c62a-4a2f-98de-e9d1116460a8</goToChain></preconfiguredChoice>" +
        "</preconfiguredChoices></processingMCP>\n",
    );
    const events = await fetch(`${base()}/api/stream?token=${server.token}`);
    expect(events.headers.get("content-type")).toBe("text/event-stream");
    const reader = events.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toMatch(/^event: change\ndata: \{"version":"[0-9a-f]+"\}/);

    const bad = await fetch(`${base()}/api/transfers`, {
      method: "POST",
      headers: bearer(),
      body: JSON.stringify({ path: path.join(root, "missing") }),
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toContain(path.join(root, "missing"));

    const started = await fetch(`${base()}/api/transfers`, {
      method: "POST",
      headers: bearer(),
      body: JSON.stringify({ path: source, preset: "automated" }),
    });
    expect(started.status).toBe(202);
    const { id } = (await started.json()) as { id: string };
    const next = new TextDecoder().decode((await reader.read()).value);
    expect(next).toContain("event: change");
    await reader.cancel();

    interface Detail {
      unit: Record<string, unknown>;
      children: Array<{ status: string }>;
      aip: { location: string };
    }
    let status = "";
    for (let i = 0; i < 100 && status !== "completed"; i++) {
      const detail = (await (
        await fetch(`${base()}/api/units/${id}`, { headers: bearer() })
      ).json()) as Detail;
      status = detail.children[0]?.status ?? "";
      if (status !== "completed") await new Promise((r) => setTimeout(r, 200));
    }
    expect(status).toBe("completed");
    const detail = (await (await fetch(`${base()}/api/units/${id}`, { headers: bearer() })).json()) as Detail;
    expect(detail.unit).toMatchObject({ name: "deposit", status: "completed", displayStatus: "completed" });
    // The dashboard's start read the transfer's processingMCP.xml as `stepmatica run` does, and says so.
    expect(detail.unit.processingMcp).toEqual({
      source: "processingMCP.xml",
      applied: ["delete_packages_after_extraction=false"],
      notApplied: ["Examine contents: no stepmatica decision point"],
      askEverything: false,
    });
    expect(detail.aip.location).toContain(path.join(root, "aips"));
  });
});

describe("stepmatica serve's command line", () => {
  it("refuses a bad port, arguments, or a short fixed token, as usage errors (exit 2)", async () => {
    const env = { STEPMATICA_HOME: path.join(root, "cli-home") };
    const port = await stepmatica(["serve", "--port", "http"], env);
    expect(port.code).toBe(2);
    expect(port.stderr).toContain("--port");
    expect((await stepmatica(["serve", "extra"], env)).code).toBe(2);
    const token = await stepmatica(["serve"], { ...env, STEPMATICA_TOKEN: "short" });
    expect(token.code).toBe(2);
    expect(token.stderr).toContain("STEPMATICA_TOKEN");
    expect((await stepmatica(["--help"], env)).stdout).toContain("serve [--port N]");
  });
});

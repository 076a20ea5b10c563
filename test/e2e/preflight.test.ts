import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { preflight, toolsForRun } from "../../functions/tools/preflight.ts";
import { PRESETS } from "../../workflows/processing-config.ts";
import { tempDir } from "../helpers/fixtures.ts";

/**
 * The preflight that `npm start` and `npm test` run first (`stepmatica doctor --install`) and the
 * check `stepmatica run` makes before it starts a transfer, run as the real binary with a PATH from
 * which the system tools are hidden: what a fresh machine without them looks like.
 */
const REPO = path.resolve(import.meta.dirname, "../..");
const BINARY = path.join(REPO, "functions/cli/stepmatica.mjs");
const DEBIAN_TOOLS = ["clamscan", "mediainfo", "ffprobe", "xmllint", "mediaconch", "ffmpeg", "gs"];
/** What the stand-in apt-get "installs": the programs of each Debian package install-tools.sh names. */
const PROGRAMS_OF: Record<string, string[]> = {
  clamav: ["clamscan"],
  mediainfo: ["mediainfo"],
  ffmpeg: ["ffmpeg", "ffprobe"],
  ghostscript: ["gs"],
  "libxml2-utils": ["xmllint"],
  mediaconch: ["mediaconch"],
  chromium: ["chromium"],
};

let root: string;
beforeAll(async () => {
  root = await tempDir("preflight");
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/**
 * Debian without the tools, where installing works: the real install-tools.sh runs, and apt-get,
 * dpkg-query and sudo are stand-ins: apt-get "installs" a package by putting its programs on PATH
 * (logging its arguments), dpkg-query says nothing is installed, sudo -n runs the command (logged).
 */
async function installableBin(name: string): Promise<{ bin: string; log: string }> {
  const bin = await binWith(name, ["node", "bash", "grep", "id", "true"]);
  const log = path.join(bin, "calls.log");
  const stubs = Object.entries(PROGRAMS_OF)
    .map(([pkg, programs]) => `    ${pkg}) for p in ${programs.join(" ")}; do stub "$p"; done ;;`)
    .join("\n");
  const aptGet = [
    "#!/bin/bash",
    `echo "apt-get $*" >> ${log}`,
    `stub() { printf '#!/bin/sh\\necho "$1 (stand-in) 1.0"\\n' "$1" > "${bin}/$1"; /bin/chmod 755 "${bin}/$1"; }`,
    'if [ "$1" = install ]; then for pkg in "$@"; do case "$pkg" in',
    stubs,
    "  esac; done; fi",
  ].join("\n");
  await writeFile(path.join(bin, "apt-get"), `${aptGet}\n`, { mode: 0o755 });
  await writeFile(path.join(bin, "dpkg-query"), "#!/bin/sh\nexit 1\n", { mode: 0o755 });
  const sudo = `#!/bin/bash\necho "sudo $*" >> ${log}\n[ "$1" = -n ] && shift\nexec "$@"\n`;
  await writeFile(path.join(bin, "sudo"), sudo, { mode: 0o755 });
  return { bin, log };
}

/** A folder for PATH holding only the named programs of this machine (linked), none of the tools. */
async function binWith(name: string, programs: string[]): Promise<string> {
  const bin = path.join(root, name);
  await mkdir(bin, { recursive: true });
  for (const program of programs) {
    const real = program === "node" ? process.execPath : `/usr/bin/${program}`;
    await symlink(real, path.join(bin, program));
  }
  return bin;
}

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

function stepmatica(args: string[], env: Record<string, string>, uid?: number): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BINARY, ...args], {
      cwd: REPO,
      env,
      stdio: ["ignore", "pipe", "pipe"],
      ...(uid === undefined ? {} : { uid, gid: uid }),
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => {
      stdout += c.toString("utf8");
    });
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString("utf8");
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

const installLine = (withBrowser: boolean) =>
  `bash ${path.join(REPO, "functions/worker/install-tools.sh")}${withBrowser ? " --with-browser" : ""}`;

describe("the preflight on a machine without the system tools", () => {
  it("npm test's preflight stops naming every missing tool and the install command line, and does no work", async () => {
    const bin = await binWith("bare", ["node"]);
    const home = path.join(root, "home-bare");
    const result = await stepmatica(["doctor", "--install", "--with-browser"], {
      PATH: bin,
      HOME: root,
      STEPMATICA_HOME: home,
    });
    expect(result.code, result.stderr).toBe(1);
    for (const tool of [...DEBIAN_TOOLS, "chromium"]) expect(result.stderr).toContain(`${tool} (`);
    expect(result.stderr).toContain(installLine(true));
    expect(result.stderr).toContain("apt-get is not available");
    expect(existsSync(home)).toBe(false);
  });

  it("npm start's run refuses to start the transfer, naming the tools its configuration needs", async () => {
    const bin = await binWith("bare-run", ["node"]);
    const home = path.join(root, "home-run");
    const env = { PATH: bin, HOME: root, STEPMATICA_HOME: home };
    const result = await stepmatica(
      ["run", "examples/society-records", "--out", path.join(root, "aips")],
      env,
    );
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(/^stepmatica run: cannot start: missing tools: clamscan \(clamav\)/);
    for (const tool of DEBIAN_TOOLS) expect(result.stderr).toContain(`${tool} (`);
    expect(result.stderr).toContain(installLine(false));
    expect(result.stderr).not.toContain("chromium");
    expect(existsSync(home), "no database, no unit: nothing started").toBe(false);
  });

  it("the run checks only what its configuration calls: no clamscan when scan_for_viruses=false", async () => {
    const bin = await binWith("bare-noscan", ["node"]);
    const env = { PATH: bin, HOME: root, STEPMATICA_HOME: path.join(root, "home-noscan") };
    const args = [
      "run",
      "examples/society-records",
      "--config",
      "automated",
      "--set",
      "scan_for_viruses=false",
    ];
    const result = await stepmatica(args, env);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toContain("mediainfo (mediainfo)");
    expect(result.stderr).not.toContain("clamscan");
    expect(result.stderr).not.toContain("gs (ghostscript)");
  });

  it("installs the missing tools with install-tools.sh when it can, then passes", async () => {
    // Root (or passwordless sudo) on Debian: the preflight runs the real install-tools.sh.
    const { bin, log } = await installableBin("installable");
    const result = await stepmatica(["doctor", "--install", "--with-browser"], { PATH: bin, HOME: root });
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
    expect(result.stdout).toContain("installing the missing tools: clamscan (clamav)");
    expect(result.stdout).toContain(
      "install-tools.sh: installing clamav clamav-freshclam mediainfo ffmpeg ghostscript",
    );
    expect(result.stdout).toMatch(/stepmatica doctor: tools present \(.*chromium\)/);
    const calls = (await readFile(log, "utf8")).trim().split("\n");
    expect(calls.filter((line) => line.startsWith("apt-get"))).toEqual([
      "apt-get update -qq",
      "apt-get install -y -qq --no-install-recommends clamav clamav-freshclam mediainfo ffmpeg ghostscript libxml2-utils mediaconch chromium libreoffice-writer libreoffice-calc libreoffice-impress libheif-examples",
    ]);
  });
});

describe("the preflight for a user who is not root", () => {
  const saved = process.env.PATH;
  afterAll(() => {
    process.env.PATH = saved;
  });
  const lines: string[] = [];
  const io = { out: (line: string) => lines.push(line) };

  /** Debian without the tools: apt-get and dpkg-query stand-ins that say nothing is installed. */
  async function debianBin(name: string, sudo: string | null): Promise<string> {
    const bin = await binWith(name, ["node", "bash", "grep", "id"]);
    await writeFile(path.join(bin, "apt-get"), "#!/bin/sh\nexit 99\n", { mode: 0o755 });
    await writeFile(path.join(bin, "dpkg-query"), "#!/bin/sh\nexit 1\n", { mode: 0o755 });
    if (sudo !== null) await writeFile(path.join(bin, "sudo"), sudo, { mode: 0o755 });
    return bin;
  }

  it("without sudo: stops naming the tools and the sudo command line, installing nothing", async () => {
    process.env.PATH = await debianBin("user-nosudo", null);
    const result = await preflight(true, io, false);
    expect(result.ok).toBe(false);
    expect(result.missing.map((t) => t.name)).toEqual(expect.arrayContaining([...DEBIAN_TOOLS, "chromium"]));
    expect(result.message).toContain(`install them with: sudo ${installLine(true)}`);
    expect(result.message).toContain("not running as root, and sudo is not installed");
    expect(lines).toEqual([]);
  });

  it("with passwordless sudo: installs through sudo -n with the same script, then passes", async () => {
    const { bin, log } = await installableBin("user-sudo");
    process.env.PATH = bin;
    const result = await preflight(false, io, false);
    expect(result, result.message).toMatchObject({ ok: true, missing: [] });
    const calls = (await readFile(log, "utf8")).trim().split("\n");
    expect(calls).toContain("sudo -n true");
    expect(calls).toContain(`sudo -n bash ${path.join(REPO, "functions/worker/install-tools.sh")}`);
    expect(calls).toContain(
      "apt-get install -y -qq --no-install-recommends clamav clamav-freshclam mediainfo ffmpeg ghostscript libxml2-utils mediaconch",
    );
    expect(lines[0]).toMatch(/^installing the missing tools: clamscan \(clamav\)/);
    lines.length = 0;
  });

  it("with sudo that asks for a password: stops the same way, saying so", async () => {
    process.env.PATH = await debianBin(
      "user-password",
      "#!/bin/sh\necho 'a password is required' >&2\nexit 1\n",
    );
    const result = await preflight(false, io, false);
    expect(result.ok).toBe(false);
    expect(result.message).toContain(`install them with: sudo ${installLine(false)}`);
    expect(result.message).toContain("sudo asks for a password");
    expect(result.message).not.toContain("chromium");
    expect(lines).toEqual([]);
  });
});

describe("the tools a run needs follow its processing configuration", () => {
  const names = (config: Parameters<typeof toolsForRun>[0]) => toolsForRun(config).map((t) => t.name);
  it("the default preset scans and normalizes", () => {
    expect(names(PRESETS.default)).toEqual(expect.arrayContaining(["clamscan", "ffmpeg", "gs", "mediainfo"]));
  });
  it("no scan, no normalization: neither clamscan nor the normalizers", () => {
    const chosen = names({ ...PRESETS.automated, scan_for_viruses: false });
    expect(chosen).toEqual(expect.arrayContaining(["mediainfo", "ffprobe", "xmllint", "mediaconch"]));
    expect(chosen).not.toContain("clamscan");
    expect(chosen).not.toContain("gs");
    expect(chosen).not.toContain("chromium");
  });
  it("a decision left to ask may take either way, so its tools are needed", () => {
    expect(names({ ...PRESETS.automated, scan_for_viruses: "ask", normalize: "ask" })).toEqual(
      expect.arrayContaining(["clamscan", "gs", "ffmpeg"]),
    );
  });
});

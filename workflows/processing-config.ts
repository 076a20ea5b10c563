import { z } from "zod";

/**
 * The processing configuration: the answers to the workflow's decision points
 * (Archivematica's processingMCP.xml, as named JSON keys). Unknown keys or values are an error.
 */
/** "ask": the run waits at that decision point for an operator's answer in the dashboard. */
const ASK = z.literal("ask");

/** The deepest nesting Extract packages follows: it bounds the extraction loop (and its history events). */
export const MAX_EXTRACT_DEPTH = 20;

/** The answers a decision point offers, by key (the dashboard shows them as choices). */
export const DECISION_CHOICES = {
  extract_packages: [true, false],
  scan_for_viruses: [true, false],
  normalize: ["none", "preservation", "access", "both"],
  aip_compression: ["none", "7z", "zip", "tar.gz"],
  dip: [true, false],
} as const;
export type DecisionKey = keyof typeof DECISION_CHOICES;

export const ProcessingConfigSchema = z
  .object({
    extract_packages: z.union([z.boolean(), ASK]),
    delete_packages_after_extraction: z.boolean(),
    scan_for_viruses: z.union([z.boolean(), ASK]),
    normalize: z.enum(["none", "preservation", "access", "both", "ask"]),
    aip_compression: z.enum(["none", "7z", "zip", "tar.gz", "ask"]),
    dip: z.union([z.boolean(), ASK]),
    /** How deep packages inside packages are extracted (Extract packages repeats up to this level). */
    extract_packages_depth: z.coerce.number().int().min(1).max(MAX_EXTRACT_DEPTH).default(5),
    /** A PRONOM DROID signature file for Identify file format; "" means the official one shipped (functions/identify/signatures). */
    signature_file: z.string().default(""),
    /** A PRONOM container signature file (OOXML, ODF, …); "" means the official one shipped. */
    container_signature_file: z.string().default(""),
  })
  .strict();

export type ProcessingConfig = z.infer<typeof ProcessingConfigSchema>;
export type ProcessingConfigKey = keyof ProcessingConfig;

export const PRESETS: Record<"default" | "automated", ProcessingConfig> = {
  /** What an archivist gets without choosing: preservation copies, a compressed AIP. */
  default: {
    extract_packages: true,
    delete_packages_after_extraction: false,
    scan_for_viruses: true,
    normalize: "preservation",
    aip_compression: "7z",
    dip: false,
    extract_packages_depth: 5,
    signature_file: "",
    container_signature_file: "",
  },
  /** Unattended bulk ingest: no derivatives, an uncompressed AIP that can be checked in place. */
  automated: {
    extract_packages: true,
    delete_packages_after_extraction: false,
    scan_for_viruses: true,
    normalize: "none",
    aip_compression: "none",
    dip: false,
    extract_packages_depth: 5,
    signature_file: "",
    container_signature_file: "",
  },
};

export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Parses a `--set KEY=VALUE` pair into the typed value for KEY; throws ConfigError naming the key. */
export function parseSetting(pair: string): [ProcessingConfigKey, unknown] {
  const eq = pair.indexOf("=");
  if (eq <= 0) throw new ConfigError(`--set expects KEY=VALUE, got "${pair}"`);
  const key = pair.slice(0, eq);
  const raw = pair.slice(eq + 1);
  const shape = ProcessingConfigSchema.shape as Record<string, z.ZodType>;
  const field = shape[key];
  if (!field) {
    throw new ConfigError(
      `unknown processing-configuration key "${key}" (known: ${Object.keys(shape).join(", ")})`,
    );
  }
  const value = raw === "true" ? true : raw === "false" ? false : raw;
  const parsed = field.safeParse(value);
  if (!parsed.success)
    throw new ConfigError(`bad value "${raw}" for ${key}: ${parsed.error.issues[0]?.message}`);
  return [key as ProcessingConfigKey, parsed.data];
}

/** Resolves a preset or a parsed JSON file plus overrides into a complete, validated configuration. */
export function resolveConfig(base: ProcessingConfig | unknown, overrides: string[] = []): ProcessingConfig {
  const start = ProcessingConfigSchema.safeParse(base);
  if (!start.success) {
    const issue = start.error.issues[0];
    throw new ConfigError(
      `invalid processing configuration at "${issue?.path.join(".")}": ${issue?.message}`,
    );
  }
  const config: Record<string, unknown> = { ...start.data };
  for (const pair of overrides) {
    const [key, value] = parseSetting(pair);
    config[key] = value;
  }
  return ProcessingConfigSchema.parse(config);
}

/** The keys a configuration leaves to an operator ("ask"). */
export function askedKeys(config: ProcessingConfig): DecisionKey[] {
  return (Object.keys(DECISION_CHOICES) as DecisionKey[]).filter((k) => config[k] === "ask");
}

// Command-line parsing (pure: argv and environment in, a command out), so it is tested table-driven.

import { parseArgs } from "node:util";
import type { KindInfo } from "../api/kinds.ts";
import { requireKind } from "./kinds.ts";
import { DEFAULT_API_PORT, DEFAULT_PORT, DEFAULT_STATE_DIR, parsePort } from "./state.ts";

export class UsageError extends Error {
  readonly command?: string;
  constructor(message: string, command?: string) {
    super(message);
    this.command = command;
  }
}

export interface Globals {
  stateDir: string;
  namespace: string;
  /** From --api-port or KNIT_API_PORT; undefined lets client commands read the state dir's kubeconfig. */
  apiPort?: number;
  /** KUBECONFIG, used by client commands when the state dir has no token. */
  kubeconfig?: string;
}

export type Command =
  | { cmd: "help"; topic?: string }
  | { cmd: "start"; port: number; apiPort: number; cluster: boolean; podRevisions: boolean; host?: string }
  | { cmd: "dev"; port: number; apiPort: number; files: string[] }
  | { cmd: "build"; out: string; port: number; apiPort: number; token?: string }
  | { cmd: "apply"; files: string[] }
  | { cmd: "get"; kind: KindInfo; names: string[]; output?: string; allNamespaces: boolean }
  | { cmd: "describe"; kind: KindInfo; names: string[] }
  | { cmd: "delete"; kind?: KindInfo; names: string[]; files: string[]; ignoreNotFound: boolean }
  | { cmd: "push"; path: string; name?: string; tag?: string };

export type Parsed = Command & { globals: Globals };

const OPTIONS = {
  help: { type: "boolean", short: "h" },
  "api-port": { type: "string" },
  "state-dir": { type: "string" },
  namespace: { type: "string", short: "n" },
  port: { type: "string" },
  filename: { type: "string", short: "f", multiple: true },
  output: { type: "string", short: "o" },
  "all-namespaces": { type: "boolean", short: "A" },
  "ignore-not-found": { type: "boolean" },
  name: { type: "string" },
  tag: { type: "string" },
  out: { type: "string" },
  token: { type: "string" },
  cluster: { type: "boolean" },
  "pod-revisions": { type: "boolean" },
  host: { type: "string" },
} as const;

type OptionName = keyof typeof OPTIONS;
const GLOBAL: OptionName[] = ["help", "api-port", "state-dir", "namespace"];
/** Options each command accepts besides the global ones. */
const ALLOWED: Record<string, OptionName[]> = {
  start: ["port", "cluster", "pod-revisions", "host"],
  dev: ["port", "filename"],
  build: ["port", "out", "token"],
  apply: ["filename"],
  get: ["output", "all-namespaces"],
  describe: [],
  delete: ["filename", "ignore-not-found"],
  push: ["name", "tag"],
  help: [],
};
export const COMMANDS = Object.keys(ALLOWED);
const OUTPUTS = ["yaml", "json", "wide", "name"];

/** Splits `ksvc/hello` into kind and name, as kubectl accepts. */
function kindAndNames(positionals: string[], command: string, nameRequired: boolean): { kind: KindInfo; names: string[] } {
  if (!positionals.length) throw new UsageError(`${command}: a resource kind is required (for example: ksvc)`, command);
  const [first, ...rest] = positionals;
  if (first.includes("/")) {
    const slash = first.indexOf("/");
    if (rest.length) throw new UsageError(`${command}: give either KIND/NAME or KIND NAME…, not both`, command);
    return { kind: requireKind(first.slice(0, slash)), names: [first.slice(slash + 1)] };
  }
  const kind = requireKind(first);
  if (nameRequired && !rest.length) throw new UsageError(`${command}: a name is required (${command} ${first} NAME)`, command);
  return { kind, names: rest };
}

export function parseCommandLine(argv: string[], env: Record<string, string | undefined> = {}): Parsed {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { values, positionals } = parsed;
  const [command = "help", ...rest] = positionals;
  const apiPortText = values["api-port"] ?? env.KNIT_API_PORT;
  const globals: Globals = {
    stateDir: values["state-dir"] ?? env.KNIT_STATE_DIR ?? DEFAULT_STATE_DIR,
    namespace: values.namespace ?? "default",
    apiPort: apiPortText === undefined ? undefined : port(apiPortText, values["api-port"] ? "--api-port" : "KNIT_API_PORT"),
    kubeconfig: env.KUBECONFIG || undefined,
  };
  if (values.help || command === "help") return { cmd: "help", topic: command === "help" ? rest[0] : command, globals };
  if (!ALLOWED[command]) throw new UsageError(`unknown command "${command}"; commands: ${COMMANDS.join(", ")}`);
  for (const key of Object.keys(values) as OptionName[]) {
    if (!GLOBAL.includes(key) && !ALLOWED[command].includes(key)) throw new UsageError(`${command}: unknown flag --${key}`, command);
  }
  const noPositionals = () => {
    if (rest.length) throw new UsageError(`${command}: unexpected argument "${rest[0]}"`, command);
  };
  const ports = () => ({
    port: port(values.port ?? env.KNIT_PORT, values.port ? "--port" : "KNIT_PORT", DEFAULT_PORT),
    apiPort: globals.apiPort ?? DEFAULT_API_PORT,
  });
  switch (command) {
    case "start":
      noPositionals();
      return {
        cmd: "start", ...ports(), cluster: values.cluster ?? false, podRevisions: values["pod-revisions"] ?? env.KNIT_POD_REVISIONS === "true",
        ...(values.host ?? env.KNIT_HOST ? { host: values.host ?? env.KNIT_HOST } : {}), globals,
      };
    case "dev":
      noPositionals();
      return { cmd: "dev", ...ports(), files: values.filename ?? [], globals };
    case "build":
      noPositionals();
      if (!values.out) throw new UsageError("build: --out DIR is required", command);
      return { cmd: "build", out: values.out, ...ports(), token: values.token, globals };
    case "apply":
      noPositionals();
      if (!values.filename?.length) throw new UsageError("apply: -f FILE|DIR|- is required", command);
      return { cmd: "apply", files: values.filename, globals };
    case "get": {
      if (values.output !== undefined && !OUTPUTS.includes(values.output)) {
        throw new UsageError(`get: unknown output format "${values.output}" (use ${OUTPUTS.join(", ")})`, command);
      }
      return { cmd: "get", ...kindAndNames(rest, command, false), output: values.output, allNamespaces: !!values["all-namespaces"], globals };
    }
    case "describe":
      return { cmd: "describe", ...kindAndNames(rest, command, false), globals };
    case "delete": {
      const files = values.filename ?? [];
      const ignoreNotFound = !!values["ignore-not-found"];
      if (files.length) {
        noPositionals();
        return { cmd: "delete", names: [], files, ignoreNotFound, globals };
      }
      return { cmd: "delete", ...kindAndNames(rest, command, true), files: [], ignoreNotFound, globals };
    }
    case "push":
      if (rest.length !== 1) throw new UsageError("push: exactly one PATH is required", command);
      return { cmd: "push", path: rest[0], name: values.name, tag: values.tag, globals };
  }
  throw new UsageError(`unknown command "${command}"`);
}

function port(text: string | undefined, source: string, fallback = 0): number {
  try {
    return parsePort(text, fallback, source);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

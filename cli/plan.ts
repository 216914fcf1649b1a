// npm run plan -- --stack <name> [--base <rev>] [--set path=value ...] [--set-secret path=value ...] [--no-policy]
//
// Evaluates the program under Pulumi's mocks with a stack's config and prints what an operator
// needs at the moment of a change: the split per service and cluster, the image and version each
// color runs, capacity, warnings, every changed value (old → new) against the stack file as
// committed (git's HEAD, or --base), hand edits in the working tree judged like --set, and the
// policy pack's verdict as CI will give it. The desired state from config, not a diff against live
// infrastructure (that is `pulumi preview`).

import Table from "cli-table3";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { capacityRows } from "../model/capacity.ts";
import { COLORS, type StackModel } from "../model/config/types.ts";
import program from "../index.ts";
import { ConfigEditError, applyEdit, changedPaths, parseEdit, type ConfigEdit } from "../model/configEdits.ts";
import { cohortsOn } from "../model/cohorts.ts";
import { PROJECT } from "../model/config/keys.ts";
import { ProgramError, runProgram, type ProgramRun } from "../harness/mockRuntime.ts";
import { envByName, leafChanges } from "./planDiff.ts";
import { guardRefusals, planWarnings, replacementOf, secretLookingEnv } from "./planWarnings.ts";
import { USAGE_EXIT_CODE } from "./exitCodes.ts";
import { committedText } from "./git.ts";
import { POLICY_DIR, PolicyPackProcess, readPolicyPackConfig, type Diagnostic } from "../harness/policyPackProcess.ts";
import { diffedInputs } from "../harness/providerModels.ts";
import { PROJECT_ROOT, missingStack, stackConfigFromText, stackFileConfig, stackModel, type StackConfig } from "../model/stackFiles.ts";
import { ConfigError } from "../model/validation.ts";

const USAGE = `usage: npm run plan -- --stack <name> [options]

Evaluates the switchyard program offline, under Pulumi's mocks, with a stack's config: the traffic
split (cohorts included), each color's image and version, capacity, warnings, what changes against
the stack file as committed (each value old → new), and the policy pack's verdict with
policy/config/<stack>.json. Hand edits in Pulumi.<name>.yaml that are not committed are part of the
change, judged like --set: by the readiness gate and rollout.maxStep too.

options:
  --stack <name>              the stack (Pulumi.<name>.yaml); required
  --base <rev>                the git revision whose stack file is the baseline (default: HEAD)
  --set <path>=<value>        a config change, as \`pulumi config set --path\` takes it: a key
                              (greenWeight=30) or a path (clusters[1].greenWeight=10,
                              services[0].replicas=4); in a path true/false are booleans and
                              integers are numbers; repeatable
  --set-secret <path>=<value> the same, stored as a secret (printed as [secret])
  --no-policy                 skip the policy pack (it needs npm ci --prefix policy)
  -h, --help                  this text

exit codes:
  0   planned (advisory violations allowed)
  1   the config or the program failed (a config problem, or a change the gate refuses)
  3   a mandatory policy violation
  64  usage error: an unknown flag, a bad --set, an unknown stack or --base; nothing was evaluated

examples:
  npm run plan -- --stack prod                                   # the stack file as it is, hand edits judged
  npm run plan -- --stack prod --set greenWeight=25 --set 'clusters[1].greenWeight=5'
  npm run plan -- --stack prod --base origin/main                # everything this branch changes
  npm run plan -- --stack dev --set-secret 'services[0].env.API_KEY=...' --no-policy`;

class UsageError extends Error {}

interface Options {
    stack: string;
    /** The revision given with --base; undefined for HEAD. */
    base: string | undefined;
    edits: ConfigEdit[];
    policy: boolean;
}

function options(argv: string[]): Options | "help" {
    let parsed;
    try {
        parsed = parseArgs({
            args: argv,
            strict: true,
            options: {
                stack: { type: "string" },
                base: { type: "string" },
                set: { type: "string", multiple: true, default: [] },
                "set-secret": { type: "string", multiple: true, default: [] },
                "no-policy": { type: "boolean", default: false },
                help: { type: "boolean", short: "h", default: false },
            },
        });
    } catch (error) {
        throw new UsageError((error as Error).message);
    }
    const { values } = parsed;
    if (values.help) return "help";
    if (!values.stack) throw new UsageError("--stack is required");
    try {
        return {
            stack: values.stack,
            base: values.base,
            edits: [...values.set.map((s) => parseEdit(s, false)), ...values["set-secret"].map((s) => parseEdit(s, true))],
            policy: !values["no-policy"],
        };
    } catch (error) {
        if (error instanceof ConfigEditError) throw new UsageError(`--set: ${error.message}`);
        throw error;
    }
}

const plainTable = { style: { head: [], border: [], compact: true } };

interface ColorOutput {
    weight: number;
    image: string;
}
type TrafficOutput = Record<string, Record<string, { blue: ColorOutput; green: ColorOutput; route: string }>>;
type DnsOutput = Record<string, { hostname: string; clusters: Record<string, { share: number; route53Weight: number; percent: number }> }>;

function trafficTable(run: ProgramRun): string {
    const traffic = run.outputs.traffic as TrafficOutput;
    const dns = run.outputs.dns as DnsOutput | undefined;
    const clusters = Object.keys(traffic);
    const services = Object.keys(traffic[clusters[0]!] ?? {});
    const table = new Table({ ...plainTable, head: ["service  (blue % / green %)", ...clusters] });
    for (const service of services) {
        table.push([service, ...clusters.map((c) => `${traffic[c]![service]!.blue.weight} / ${traffic[c]![service]!.green.weight}`)]);
    }
    if (dns) {
        const first = Object.values(dns)[0]!;
        table.push(["DNS answers (share)", ...clusters.map((c) => `${first.clusters[c]!.percent} % (${first.clusters[c]!.share})`)]);
    }
    return table.toString();
}

/** What a cohort's matches ask of a request, short: `header x-switchyard-cohort: beta`. */
function cohortCondition(cohort: StackModel["cohorts"][number]): string {
    return cohort.matches
        .map((match) =>
            [
                ...match.headers.map((h) => `header ${h.name}${h.type === "RegularExpression" ? " ~ " : ": "}${h.value}`),
                ...(match.cookie ? [`cookie ${match.cookie.name}=${match.cookie.value}`] : []),
                ...match.queryParams.map((q) => `?${q.name}${q.type === "RegularExpression" ? "~" : "="}${q.value}`),
            ].join(" and "),
        )
        .join(", or ");
}

/** The cohorts ahead of the weights: who is on which color whatever the table above says. */
function cohortLines(model: StackModel): string[] {
    return model.cohorts.map((cohort) => {
        const where = model.services.flatMap((s) => model.clusters.filter((c) => cohortsOn([cohort], s.name, c.name).length > 0).map((c) => `${s.name} on ${c.name}`));
        const everywhere = where.length === model.services.length * model.clusters.length;
        return `cohort ${cohort.name} → ${cohort.color}, whatever the weights: requests with ${cohortCondition(cohort)}, on ${everywhere ? "every service and cluster" : where.join(", ") || "nothing (no service or cluster it names)"}`;
    });
}

/** `repo@sha256:4c5b78e70f54…`: enough of a digest to tell images apart. */
function shortImage(image: string): string {
    return image.replace(/@sha256:([0-9a-f]{12})[0-9a-f]{52}$/, "@sha256:$1…");
}

/** The widest a table may print: a terminal of 100 columns. */
const MAX_WIDTH = 100;

/** One row per service and color, the image column wrapped so the table fits MAX_WIDTH. */
function imagesTable(model: StackModel): string {
    const rows = model.services.flatMap((service) =>
        COLORS.map((color) => {
            const spec = service[color];
            const role = color === model.rollout.candidate ? "candidate" : "stable";
            if (!spec) return [service.name, `${color} (${role})`, "", "(not deployed)"];
            return [service.name, `${color} (${role})`, spec.version, spec.build ? `built from ${spec.build.context}/` : shortImage(spec.image!)];
        }),
    );
    const head = ["service", "color", "version", "image"];
    // A column's width counts its padding (one space each side); a table of n columns adds n + 1 borders.
    const widths = head.slice(0, 3).map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)) + 2);
    const imageWidth = Math.max(20, MAX_WIDTH - (head.length + 1) - widths.reduce((a, b) => a + b, 0));
    const table = new Table({ ...plainTable, head, colWidths: [...widths, imageWidth], wordWrap: true, wrapOnWordBoundary: false });
    for (const row of rows) table.push(row);
    return table.toString();
}

function capacityTable(model: StackModel): string | undefined {
    const rows = capacityRows(model, model.rollout.candidate);
    if (rows.length === 0) return undefined;
    const table = new Table({ ...plainTable, head: ["service", "cluster", "color", "load rps", "pods", "utilization", "mean wait", "needs", "snap-back"] });
    const ms = (value: number) => (Number.isFinite(value) ? `${value.toFixed(1)} ms` : "unbounded");
    for (const row of rows) {
        table.push([
            row.service,
            row.cluster,
            `${row.color} (${row.role})`,
            row.loadRps.toFixed(0),
            String(row.replicas),
            `${(row.utilization * 100).toFixed(0)} %`,
            ms(row.meanWaitMs),
            String(row.replicasNeeded),
            row.snapBack ? `${(row.snapBack.utilization * 100).toFixed(0)} %, ${ms(row.snapBack.meanWaitMs)}, needs ${row.snapBack.replicasNeeded}` : "",
        ]);
    }
    return table.toString();
}

function changes(base: ProgramRun, planned: ProgramRun): string {
    const before = new Map(base.resources.filter((r) => r.custom).map((r) => [r.urn, r]));
    const lines: string[] = [];
    const counts = new Map<string, number>();
    const count = (type: string) => counts.set(type, (counts.get(type) ?? 0) + 1);
    for (const resource of planned.resources.filter((r) => r.custom).sort((a, b) => a.urn.localeCompare(b.urn))) {
        const name = `${resource.type} ${resource.name}`;
        const previous = before.get(resource.urn);
        before.delete(resource.urn);
        if (!previous) {
            lines.push(`  + ${name}`);
            count(resource.type);
            continue;
        }
        const old = envByName(diffedInputs(resource.type, previous.wireInputs));
        const now = envByName(diffedInputs(resource.type, resource.wireInputs));
        const leaves = leafChanges(old, now);
        if (leaves.length === 0) continue;
        count(resource.type);
        // Like `pulumi preview`: +- for an object the provider replaces (a new name or namespace), ~ for an update.
        const replaced = replacementOf(resource.type, old, now);
        lines.push(replaced ? `  +- ${name} (replaced: ${replaced})` : `  ~ ${name}`, ...leaves.map((l) => `      ${l.path}: ${l.before} → ${l.after}`));
    }
    for (const removed of before.values()) {
        lines.push(`  - ${removed.type} ${removed.name}`);
        count(removed.type);
    }
    if (lines.length === 0) return "No resource inputs change.";
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    const byType = [...counts].map(([type, n]) => `${n} ${type}`).join(", ");
    return `${total} resource(s) change: ${byType}\n${lines.join("\n")}`;
}

async function policyVerdict(stack: StackConfig, run: ProgramRun): Promise<Diagnostic[]> {
    if (!existsSync(join(POLICY_DIR, "node_modules"))) {
        throw new Error("the policy pack is not installed: run npm ci --prefix policy, or plan with --no-policy");
    }
    const configFile = join(POLICY_DIR, "config", `${stack.stack}.json`);
    const pack = await PolicyPackProcess.start(stack);
    try {
        return await pack.check({ stack, resources: run.resources, ...(existsSync(configFile) ? { config: readPolicyPackConfig(configFile) } : {}) });
    } finally {
        await pack.stop();
    }
}

/** Where a plan writes: stdout's lines, and stderr's (progress while it works, errors). */
export interface PlanOutput {
    out(line: string): void;
    err(line: string): void;
}

const PROCESS_OUTPUT: PlanOutput = {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
};

interface Baseline {
    text: string;
    /** How the output names it: `Pulumi.prod.yaml at HEAD`. */
    name: string;
    /** Said once when the baseline is not what the operator may expect. */
    note?: string;
}

/** The stack file as committed at `--base` (default HEAD). A file git does not have at HEAD is its own baseline: nothing to compare. */
function baseline(stack: string, file: string, working: string, base: string | undefined): Baseline {
    const committed = committedText(file, base ?? "HEAD");
    if ("text" in committed) return { text: committed.text, name: `Pulumi.${stack}.yaml at ${base ?? "HEAD"}` };
    if (base !== undefined) throw new UsageError(`--base ${base}: git has no Pulumi.${stack}.yaml there (${committed.missing})`);
    return {
        text: working,
        name: `Pulumi.${stack}.yaml as on disk`,
        note: `Pulumi.${stack}.yaml is not committed (${committed.missing}): the plan's baseline is the file as it is on disk.`,
    };
}

async function planStack(argv: string[], io: PlanOutput): Promise<number> {
    /** What the plan is doing, on stderr while it works: evaluating and the policy pack take seconds. */
    const progress = (text: string) => io.err(`switchyard plan: ${text}`);
    const opts = options(argv);
    if (opts === "help") {
        io.out(USAGE);
        return 0;
    }
    const missing = missingStack(opts.stack);
    if (missing) throw new UsageError(missing);
    const file = join(PROJECT_ROOT, `Pulumi.${opts.stack}.yaml`);
    const working = readFileSync(file, "utf8");
    const base = baseline(opts.stack, file, working, opts.base);
    // Hand edits on disk are part of the change, as if given with --set.
    const handEdits = changedPaths(stackFileConfig(base.text, PROJECT), stackFileConfig(working, PROJECT), PROJECT);
    const committed = stackConfigFromText(opts.stack, base.text);
    const planned = stackConfigFromText(opts.stack, working, opts.edits);
    const changing = handEdits.length > 0 || opts.edits.length > 0;
    let baseModel: StackModel;
    try {
        baseModel = stackModel(committed);
    } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        throw new Error(`${base.name}, the plan's baseline, does not load; plan against another with --base <rev>.\n${error.message}`);
    }
    const model = stackModel(planned);
    // The committed stack as deployed (twice, so a finished build has left the state as it does
    // after a real update), then the change previewed against that state as `pulumi preview` runs
    // it: the readiness gate and rollout.maxStep judge it too.
    progress(`evaluating ${base.name} as deployed, under Pulumi's mocks…`);
    const deployed = await runProgram(program, committed);
    const baseRun = await runProgram(program, committed, { live: deployed.live });
    if (changing) progress("previewing the change against it…");
    let run: ProgramRun;
    try {
        run = changing ? await runProgram(program, planned, { live: baseRun.live, preview: true }) : baseRun;
    } catch (error) {
        const refused = error instanceof ProgramError ? guardRefusals(error.run.hookCalls) : undefined;
        throw refused === undefined ? error : new Error(refused);
    }

    const setText = opts.edits.map((e) => `${e.path}=${e.secret ? "[secret]" : e.value}`).join(", ");
    io.out(`switchyard plan: stack ${opts.stack}${setText ? `; set ${setText}` : ""}`);
    if (base.note) io.out(base.note);
    if (handEdits.length > 0) io.out(`Hand edits in Pulumi.${opts.stack}.yaml against ${base.name.split(" at ")[1] ?? "the baseline"}, planned like --set: ${handEdits.join(", ")}`);
    io.out("Desired state evaluated from config under Pulumi's mocks; not a diff against live infrastructure (that is `pulumi preview`).\n");
    io.out(trafficTable(run));
    for (const line of cohortLines(model)) io.out(line);
    for (const [cluster, line] of Object.entries(run.outputs.summary as Record<string, string>)) io.out(`${cluster}: ${line}`);
    io.out(`\nRelease: candidate ${model.rollout.candidate}, stable ${model.rollout.candidate === "green" ? "blue" : "green"}. Images:`);
    io.out(imagesTable(model));
    const capacity = capacityTable(model);
    if (capacity) io.out(`\nCapacity (M/M/c, target ${JSON.stringify(model.capacity)}):\n${capacity}`);
    let written = stackFileConfig(working, PROJECT);
    for (const edit of opts.edits) written = applyEdit(written, edit, PROJECT);
    const warnings = [...planWarnings(baseModel, model), ...secretLookingEnv(written, PROJECT), ...run.warnings];
    for (const warning of warnings) io.out(`\nwarning: ${warning}`);
    io.out(`\n${run.resources.filter((r) => r.custom).length} resources declared.`);
    if (changing) io.out(`\nAgainst ${base.name}:\n${changes(baseRun, run)}`);
    if (!opts.policy) return 0;
    progress(`running the policy pack with policy/config/${opts.stack}.json…`);
    const diagnostics = await policyVerdict(planned, run);
    if (diagnostics.length === 0) {
        io.out(`\nPolicy pack (policy/config/${opts.stack}.json): no violations.`);
        return 0;
    }
    io.out(`\nPolicy pack (policy/config/${opts.stack}.json): ${diagnostics.length} violation(s)`);
    // The SDK puts the policy's description before the violation's own message.
    for (const d of diagnostics) io.out(`  ${d.enforcementLevel} ${d.policyName} on ${d.urn.split("::").pop()}:\n      ${d.message.split("\n").pop()}`);
    return diagnostics.some((d) => d.enforcementLevel === "mandatory") ? 3 : 0;
}

/**
 * The plan as `npm run plan -- <argv>` runs it, writing to `io`; resolves to its exit code. The
 * specs call it in-process (a plan is a third of a second; a Node process to run it, two).
 */
export async function plan(argv: string[], io: PlanOutput = PROCESS_OUTPUT): Promise<number> {
    try {
        return await planStack(argv, io);
    } catch (error) {
        if (error instanceof UsageError) {
            io.err(`${error.message}\n\n${USAGE}`);
            return USAGE_EXIT_CODE;
        }
        io.err(error instanceof Error ? error.message : String(error));
        return 1;
    }
}

if (process.argv[1] === import.meta.filename) process.exitCode = await plan(process.argv.slice(2));

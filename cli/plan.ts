// npm run plan -- --stack <name> | --fleet <name> [--base <rev>] [--set path=value ...] [--set-secret path=value ...] [--no-policy]
//
// Evaluates the program under Pulumi's mocks with a stack's config and prints what an operator
// needs at the moment of a change: the split per service and cluster, the image and version each
// color runs, capacity, warnings, every changed value (old → new) against the stack file as
// committed (git's HEAD, or --base), hand edits in the working tree judged like --set, and the
// policy pack's verdict as CI will give it. The desired state from config, not a diff against live
// infrastructure (that is `pulumi preview`). With --fleet, every stack of a split fleet, in the
// order they apply (cli/planFleet.ts).

import Table from "cli-table3";
import { parseArgs } from "node:util";
import { capacityRows } from "../model/capacity.ts";
import { modelInScope, servicesInScope, stackNameFor } from "../model/config/scope.ts";
import { COLORS, type StackModel } from "../model/config/types.ts";
import { ConfigEditError, parseEdit, type ConfigEdit } from "../model/configEdits.ts";
import { cohortsOn } from "../model/cohorts.ts";
import type { ProgramRun } from "../harness/mockRuntime.ts";
import { USAGE_EXIT_CODE } from "./exitCodes.ts";
import { missingStack } from "../model/stackFiles.ts";
import {
    FleetFiles,
    UsageError,
    againstText,
    changesText,
    evaluateStack,
    fleetFileOf,
    policyCode,
    policyLines,
    policyVerdict,
    stackWarnings,
    trafficOutputs,
    type StackPlan,
} from "./planRun.ts";
import { planFleet } from "./planFleet.ts";
import type { PlanOutput } from "./planOutput.ts";

export type { PlanOutput } from "./planOutput.ts";

const USAGE = `usage: npm run plan -- --stack <name> [options]
       npm run plan -- --fleet <name> [options]

Evaluates the switchyard program offline, under Pulumi's mocks, with a stack's config: the traffic
split (cohorts included), each color's image and version, capacity and warnings of the pods and
routes the stack deploys (a cluster stack's own cluster at its own greenWeight; a traffic stack
deploys none and names the cluster stacks that hold the figures), what changes against
the stack file as committed (each value old → new), and the policy pack's verdict with
policy/config/<stack>.json. Hand edits in Pulumi.<name>.yaml that are not committed are part of the
change, judged like --set: by the readiness gate and rollout.maxStep too. A stack of a fleet
(switchyard:fleet) is planned against its fleet file as committed as well, and a cluster stack
whose colors build reads the images its traffic stack outputs: the plan evaluates that traffic
stack (committed and planned) and hands its outputs to the cluster stack's StackReference.

With --fleet, every stack of fleets/<name>.yaml in the order they apply (the traffic stack, then
the cluster stacks wave by wave; for an undrain the clusters first): the split per service and
cluster, then per stack whether it changes, how many resources of which kinds, why (the fleet
file's changed keys and the stack file's own), and the policy pack's verdict.

options:
  --stack <name>              the stack (Pulumi.<name>.yaml); this or --fleet is required
  --fleet <name>              every stack of the fleet fleets/<name>.yaml
  --base <rev>                the git revision whose stack files (and fleet file) are the baseline
                              (default: HEAD)
  --set <path>=<value>        a config change, as \`pulumi config set --path\` takes it: a key
                              (greenWeight=30) or a path (clusters[1].greenWeight=10,
                              services[0].replicas=4); in a path true/false are booleans and
                              integers are numbers; repeatable. With --stack it edits that
                              stack's config; with --fleet it edits the fleet file, never a stack
                              file (a stack's own greenWeight: edit its file, or plan it with --stack)
  --set-secret <path>=<value> the same, stored as a secret (printed as [secret]); --stack only
  --no-policy                 skip the policy pack (it needs npm ci --prefix policy)
  -h, --help                  this text

exit codes:
  0   planned (advisory violations allowed)
  1   the config or the program failed (a config problem, or a change the gate refuses)
  3   a mandatory policy violation
  64  usage error: an unknown flag, a bad --set, an unknown stack, fleet or --base; nothing was
      evaluated
  A fleet plan exits with its stacks' worst: 1 if any stack failed, else 3 if any has a mandatory
  violation, else 0.

examples:
  npm run plan -- --stack prod                                   # the stack file as it is, hand edits judged
  npm run plan -- --stack prod --set greenWeight=25 --set 'clusters[1].greenWeight=5'
  npm run plan -- --stack prod --base origin/main                # everything this branch changes
  npm run plan -- --stack dev --set-secret 'services[0].env.API_KEY=...' --no-policy
  npm run plan -- --stack prod-eks-use1 --set greenWeight=25     # one cluster stack of the prod fleet
  npm run plan -- --fleet prod                                   # every stack of fleets/prod.yaml, hand edits judged
  npm run plan -- --fleet prod --set 'services[0].replicas=4'    # an edit of the fleet file`;

interface Options {
    stack?: string;
    fleet?: string;
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
                fleet: { type: "string" },
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
    if (values.stack && values.fleet) throw new UsageError("--stack and --fleet: give one (a fleet plan plans every stack of the fleet)");
    if (!values.stack && !values.fleet) throw new UsageError("--stack or --fleet is required");
    try {
        return {
            ...(values.stack ? { stack: values.stack } : {}),
            ...(values.fleet ? { fleet: values.fleet } : {}),
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
    // A traffic stack holds no routes: its columns are the clusters its DNS answers with.
    const clusters = Object.keys(traffic).length > 0 ? Object.keys(traffic) : Object.keys(Object.values(dns ?? {})[0]?.clusters ?? {});
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

/**
 * Capacity of the pods the stack runs, at the weights it gives them: a cluster stack's own cluster
 * and group at its own greenWeight. A traffic stack runs no pods and has no weight of its own: it
 * says which cluster stacks' plans hold its services' figures instead.
 */
function capacityText(model: StackModel): string | undefined {
    const { scope, fleet } = model;
    if (scope.kind === "traffic" && fleet) {
        const measured = servicesInScope(model.services, scope, fleet.groups).filter((s) => s.capacity !== undefined);
        if (measured.length === 0) return undefined;
        const stacks = model.clusters.map((c) => stackNameFor(fleet.name, scope.group === undefined ? { kind: "cluster", cluster: c.name } : { kind: "cluster", cluster: c.name, group: scope.group }));
        return (
            `Capacity: not in this stack, which runs no pods and has no greenWeight of its own. The pods of ${measured.map((s) => s.name).join(", ")} ` +
            `(with a capacity block) run in the cluster stacks, each judged at that stack's greenWeight: ${stacks.map((s) => `npm run plan -- --stack ${s}`).join(", ")}.`
        );
    }
    const table = capacityTable(modelInScope(model));
    return table && `Capacity (M/M/c, target ${JSON.stringify(model.capacity)}):\n${table}`;
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

const PROCESS_OUTPUT: PlanOutput = {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
};

async function planStack(opts: Options & { stack: string }, io: PlanOutput): Promise<number> {
    /** What the plan is doing, on stderr while it works: evaluating and the policy pack take seconds. */
    const progress = (text: string) => io.err(`switchyard plan: ${text}`);
    const missing = missingStack(opts.stack);
    if (missing) throw new UsageError(missing);
    // A stack of a fleet reads the fleet file: its committed text is the baseline too, and its hand edits are part of the change.
    const fleetFile = fleetFileOf(opts.stack);
    const fleet = fleetFile === undefined ? undefined : FleetFiles.open(fleetFile, opts.base);
    try {
        const common = { rev: opts.base, ...(fleet ? { fleet } : {}), progress };
        const stack = await evaluateStack(opts.stack, { ...common, edits: opts.edits, traffic: trafficOutputs(common) });
        return await printStack(stack, fleet, opts, io, progress);
    } finally {
        fleet?.dispose();
    }
}

async function printStack(stack: StackPlan, fleet: FleetFiles | undefined, opts: Options, io: PlanOutput, progress: (text: string) => void): Promise<number> {
    const { base, run, model, handEdits } = stack;
    const setText = opts.edits.map((e) => `${e.path}=${e.secret ? "[secret]" : e.value}`).join(", ");
    io.out(`switchyard plan: stack ${stack.stack}${setText ? `; set ${setText}` : ""}`);
    if (base.note) io.out(base.note);
    if (fleet?.base.note) io.out(fleet.base.note);
    if (handEdits.length > 0) io.out(`Hand edits in Pulumi.${stack.stack}.yaml against ${againstText(base)}, planned like --set: ${handEdits.join(", ")}`);
    if (fleet && fleet.handEdits.length > 0) io.out(`Hand edits in ${fleet.file} against ${againstText(fleet.base)}, planned like --set: ${fleet.handEdits.join(", ")}`);
    if (stack.reads) io.out(`Reads the images of ${stack.reads.colors.join(", ")} from stack ${stack.reads.stack}'s images output (a StackReference), evaluated here as committed and as planned.`);
    io.out("Desired state evaluated from config under Pulumi's mocks; not a diff against live infrastructure (that is `pulumi preview`).\n");
    io.out(trafficTable(run));
    for (const line of cohortLines(model)) io.out(line);
    for (const [cluster, line] of Object.entries(run.outputs.summary as Record<string, string>)) io.out(`${cluster}: ${line}`);
    io.out(`\nRelease: candidate ${model.rollout.candidate}, stable ${model.rollout.candidate === "green" ? "blue" : "green"}. Images:`);
    io.out(imagesTable(model));
    const capacity = capacityText(model);
    if (capacity) io.out(`\n${capacity}`);
    for (const warning of stackWarnings(stack)) io.out(`\nwarning: ${warning}`);
    io.out(`\n${run.resources.filter((r) => r.custom).length} resources declared.`);
    if (stack.changing) io.out(`\nAgainst ${base.name}${fleet && fleet.changing ? ` and ${fleet.base.name}` : ""}:\n${changesText(stack.change)}`);
    if (!opts.policy) return 0;
    progress(`running the policy pack with policy/config/${stack.stack}.json…`);
    const diagnostics = await policyVerdict(stack.planned, run);
    io.out("");
    for (const line of policyLines(stack.stack, diagnostics)) io.out(line);
    return policyCode(diagnostics);
}

/**
 * The plan as `npm run plan -- <argv>` runs it, writing to `io`; resolves to its exit code. The
 * specs call it in-process (a plan is a third of a second; a Node process to run it, two).
 */
export async function plan(argv: string[], io: PlanOutput = PROCESS_OUTPUT): Promise<number> {
    try {
        const opts = options(argv);
        if (opts === "help") {
            io.out(USAGE);
            return 0;
        }
        if (opts.fleet !== undefined) return await planFleet({ ...opts, fleet: opts.fleet }, io);
        return await planStack({ ...opts, stack: opts.stack! }, io);
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

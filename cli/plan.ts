// npm run plan -- --stack <name> [--set path=value ...] [--set-secret path=value ...] [--no-policy]
//
// Evaluates the program under Pulumi's mocks with a stack's config and prints what an operator
// needs at the moment of a change: the split per service and cluster, the image and version each
// color runs, capacity, warnings, every changed value (old → new) against the stack file as
// committed, and the policy pack's verdict as CI will give it. The desired state from config, not a
// diff against live infrastructure (that is `pulumi preview`).

import Table from "cli-table3";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { capacityRows } from "../model/capacity.ts";
import { COLORS, type StackModel } from "../model/config/types.ts";
import program from "../index.ts";
import { ConfigEditError, parseEdit, type ConfigEdit } from "../model/configEdits.ts";
import { runProgram, type ProgramRun } from "../harness/mockRuntime.ts";
import { leafChanges } from "./planDiff.ts";
import { planWarnings } from "./planWarnings.ts";
import { POLICY_DIR, PolicyPackProcess, readPolicyPackConfig, type Diagnostic } from "../harness/policyPackProcess.ts";
import { diffedInputs } from "../harness/providerModels.ts";
import { loadStackConfig, stackModel, type StackConfig } from "../model/stackFiles.ts";

const USAGE = `usage: npm run plan -- --stack <name> [options]

Evaluates the switchyard program offline, under Pulumi's mocks, with a stack's config: the traffic
split, each color's image and version, capacity, warnings, what changes against the stack file as
committed (each value old → new), and the policy pack's verdict with policy/config/<stack>.json.

options:
  --stack <name>              the stack (Pulumi.<name>.yaml); required
  --set <path>=<value>        a config change, as \`pulumi config set --path\` takes it: a key
                              (greenWeight=30) or a path (clusters[1].greenWeight=10,
                              services[0].replicas=4); in a path true/false are booleans and
                              integers are numbers; repeatable
  --set-secret <path>=<value> the same, stored as a secret (printed as [secret])
  --no-policy                 skip the policy pack (it needs npm ci --prefix policy)
  -h, --help                  this text

exit codes: 0 planned (advisory violations allowed), 1 the config or the program failed,
            2 usage error, 3 a mandatory policy violation

example:
  npm run plan -- --stack prod --set greenWeight=25 --set 'clusters[1].greenWeight=5'`;

class UsageError extends Error {}

interface Options {
    stack: string;
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

/** `repo@sha256:4c5b78e70f54…`: enough of a digest to tell images apart. */
function shortImage(image: string): string {
    return image.replace(/@sha256:([0-9a-f]{12})[0-9a-f]{52}$/, "@sha256:$1…");
}

function imagesTable(model: StackModel): string {
    const table = new Table({ ...plainTable, head: ["service", ...COLORS.map((c) => `${c}: version, image`)] });
    for (const service of model.services) {
        table.push([
            service.name,
            ...COLORS.map((color) => {
                const spec = service[color];
                if (!spec) return "(not deployed)";
                const source = spec.build ? `built from ${spec.build.context}/` : shortImage(spec.image!);
                return `${spec.version}  ${source}`;
            }),
        ]);
    }
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
        const leaves = leafChanges(diffedInputs(resource.type, previous.wireInputs), diffedInputs(resource.type, resource.wireInputs));
        if (leaves.length === 0) continue;
        count(resource.type);
        lines.push(`  ~ ${name}`, ...leaves.map((l) => `      ${l.path}: ${l.before} → ${l.after}`));
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

async function main(argv: string[]): Promise<number> {
    const opts = options(argv);
    if (opts === "help") {
        console.log(USAGE);
        return 0;
    }
    const committed = loadStackConfig(opts.stack);
    const planned = opts.edits.length > 0 ? loadStackConfig(opts.stack, opts.edits) : committed;
    const model = stackModel(planned);
    // The committed stack as deployed (twice, so a finished build has left the state as it does
    // after a real update), then the change previewed against that state as `pulumi preview` runs
    // it: the readiness gate and rollout.maxStep judge it too.
    const deployed = await runProgram(program, committed);
    const baseRun = await runProgram(program, committed, { live: deployed.live });
    const run = planned === committed ? baseRun : await runProgram(program, planned, { live: baseRun.live, preview: true });

    const setText = opts.edits.map((e) => `${e.path}=${e.secret ? "[secret]" : e.value}`).join(", ");
    console.log(`switchyard plan: stack ${opts.stack}${setText ? `; set ${setText}` : ""}`);
    console.log("Desired state evaluated from config under Pulumi's mocks; not a diff against live infrastructure (that is `pulumi preview`).\n");
    console.log(trafficTable(run));
    for (const [cluster, line] of Object.entries(run.outputs.summary as Record<string, string>)) console.log(`${cluster}: ${line}`);
    console.log(`\nRelease: candidate ${model.rollout.candidate}, stable ${model.rollout.candidate === "green" ? "blue" : "green"}. Images:`);
    console.log(imagesTable(model));
    const capacity = capacityTable(model);
    if (capacity) console.log(`\nCapacity (M/M/c, target ${JSON.stringify(model.capacity)}):\n${capacity}`);
    for (const warning of [...planWarnings(stackModel(committed), model), ...run.warnings]) console.log(`\nwarning: ${warning}`);
    console.log(`\n${run.resources.filter((r) => r.custom).length} resources declared.`);
    if (planned !== committed) console.log(`\nAgainst Pulumi.${opts.stack}.yaml as committed:\n${changes(baseRun, run)}`);
    if (!opts.policy) return 0;
    const diagnostics = await policyVerdict(planned, run);
    if (diagnostics.length === 0) {
        console.log(`\nPolicy pack (policy/config/${opts.stack}.json): no violations.`);
        return 0;
    }
    console.log(`\nPolicy pack (policy/config/${opts.stack}.json): ${diagnostics.length} violation(s)`);
    // The SDK puts the policy's description before the violation's own message.
    for (const d of diagnostics) console.log(`  ${d.enforcementLevel} ${d.policyName} on ${d.urn.split("::").pop()}:\n      ${d.message.split("\n").pop()}`);
    return diagnostics.some((d) => d.enforcementLevel === "mandatory") ? 3 : 0;
}

main(process.argv.slice(2)).then(
    (code) => {
        process.exitCode = code;
    },
    (error: unknown) => {
        if (error instanceof UsageError) {
            console.error(`${error.message}\n\n${USAGE}`);
            process.exitCode = 2;
            return;
        }
        console.error(error instanceof Error ? error.message : error);
        process.exitCode = 1;
    },
);

// npm run plan -- --stack <name> [--set key=value ...]
//
// Evaluates the program under Pulumi's mocks with a stack's config and prints the traffic split it
// declares. With --set, also lists the resources whose inputs would change against the stack file
// as committed. This is the desired state from config, not a diff against live infrastructure.

import Table from "cli-table3";
import { parseArgs } from "node:util";
import program from "../index.ts";
import { inputChanges, runProgram, type ProgramRun } from "./mockRuntime.ts";
import { loadStackConfig, parseOverrides } from "./stackFiles.ts";

interface ColorOutput {
    weight: number;
    image: string;
}
type TrafficOutput = Record<string, Record<string, { blue: ColorOutput; green: ColorOutput; route: string }>>;
type DnsOutput = Record<string, { hostname: string; clusters: Record<string, { share: number; route53Weight: number; percent: number }> }>;

const plainTable = { style: { head: [], border: [], compact: true } };

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

function changesTable(before: ProgramRun, after: ProgramRun): string {
    const changes = inputChanges(before, after).sort((a, b) => a.urn.localeCompare(b.urn));
    if (changes.length === 0) return "No resource inputs change.";
    const table = new Table({ ...plainTable, head: ["change", "type", "resource", "inputs"] });
    for (const change of changes) {
        table.push([change.kind, change.type, change.urn.split("::").pop()!, change.keys.join(", ")]);
    }
    const byType = new Map<string, number>();
    for (const change of changes) byType.set(change.type, (byType.get(change.type) ?? 0) + 1);
    const counts = [...byType].map(([type, n]) => `${n} ${type}`).join(", ");
    return `${changes.length} resource(s) change: ${counts}\n${table.toString()}`;
}

async function main(): Promise<void> {
    const { values } = parseArgs({
        options: { stack: { type: "string" }, set: { type: "string", multiple: true, default: [] } },
    });
    if (!values.stack) throw new Error("usage: npm run plan -- --stack <name> [--set key=value ...]");
    const overrides = parseOverrides(values.set);
    const base = await runProgram(program, loadStackConfig(values.stack));
    const planned = Object.keys(overrides).length > 0 ? await runProgram(program, loadStackConfig(values.stack, overrides)) : base;

    const setText = values.set.map((s) => ` --set ${s}`).join("");
    console.log(`switchyard plan: stack ${values.stack}${setText}`);
    console.log(
        "Desired state evaluated from config under Pulumi's mocks; not a diff against live infrastructure " +
            "(that is `pulumi preview`).\n",
    );
    console.log(trafficTable(planned));
    for (const [cluster, line] of Object.entries(planned.outputs.summary as Record<string, string>)) console.log(`${cluster}: ${line}`);
    console.log(`\n${planned.resources.filter((r) => r.custom).length} resources declared.`);
    if (planned !== base) {
        console.log(`\nAgainst Pulumi.${values.stack}.yaml as committed:`);
        console.log(changesTable(base, planned));
    }
}

main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
});

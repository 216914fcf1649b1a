// The Grafana dashboard as committed and as `switchyard dashboard` writes it: the same JSON, built
// from the queries docs/progressive-delivery.md lists for the stack's metric source, with the
// stack's services, clusters and bars. test/rolloutIntegrations.spec.ts runs its queries.

import { expect } from "chai";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PROJECT_ROOT } from "../model/stackFiles.ts";
import { runSwitchyard } from "./cli.ts";

type Dashboard = {
    uid: string;
    templating: { list: { name: string; type: string; query: string; current?: { value: string } }[] };
    panels: { type: string; title: string; targets?: { expr: string; legendFormat: string }[]; fieldConfig?: { defaults: { thresholds: { steps: { value: number | null }[] } } } }[];
};

const committed = readFileSync(join(PROJECT_ROOT, "dashboards/switchyard-prod.json"), "utf8");
const dashboard = JSON.parse(committed) as Dashboard;

/** A query as the docs list it for envoy-gateway, with Grafana's variables in its placeholders. */
function documented(name: "requests" | "success-rate" | "latency-requests" | "latency-slow", color: "candidate" | "stable"): string {
    const docs = readFileSync(join(PROJECT_ROOT, "docs/progressive-delivery.md"), "utf8");
    const section = docs.slice(docs.indexOf("### `envoy-gateway`"));
    const line = section.split("\n").find((l) => l.trimStart().startsWith(`${name}:`))!;
    return line
        .slice(line.indexOf(":") + 1)
        .trim()
        .replaceAll("{window}", "$window")
        .replaceAll("{color}", `$${color}`)
        .replace(/\{(service|cluster|namespace)\}/g, "$$$1");
}

describe("switchyard dashboard", () => {
    it("writes exactly the committed dashboards/switchyard-prod.json for the prod stack", async () => {
        const run = await runSwitchyard(["dashboard", "--stack", "prod", "--cwd", PROJECT_ROOT]);
        expect(run.code, run.stderr).to.equal(0);
        expect(`${run.stdout.trimEnd()}\n`, "regenerate: npx switchyard dashboard --stack prod --out dashboards/switchyard-prod.json").to.equal(committed);
    });

    it("queries what the analysis asks: prod's envoy-gateway success rate and slow requests, per color, as the docs list them", () => {
        const panel = (title: string) => dashboard.panels.find((p) => p.title === title)!;
        expect(panel("success-rate: candidate beside stable").targets!.map((t) => t.expr)).to.deep.equal([documented("success-rate", "candidate"), documented("success-rate", "stable")]);
        // As the docs compose a latency preset: the slow requests at prod's 500 ms bucket, out of the histogram's count, in percent.
        const slower = (color: "candidate" | "stable") =>
            `100 * (${documented("latency-slow", color).replace("{le}", "500|500[.]0")}) / (${documented("latency-requests", color)})`;
        expect(panel("latency-p99: candidate beside stable").targets!.map((t) => t.expr)).to.deep.equal([slower("candidate"), slower("stable")]);
        expect(panel("Requests per sample").targets!.map((t) => t.expr)).to.deep.equal([documented("requests", "candidate"), documented("requests", "stable")]);
    });

    it("draws prod's bars (99 %, 1 % slower than 500 ms) and fills its variables from Pulumi.prod.yaml", () => {
        const bar = (title: string) => dashboard.panels.find((p) => p.title === title)!.fieldConfig!.defaults.thresholds.steps.at(-1)!.value;
        expect(bar("success-rate: candidate beside stable")).to.equal(99);
        expect(bar("latency-p99: candidate beside stable"), "the share of requests slower than 500 ms allowed").to.equal(1);
        const variables = Object.fromEntries(dashboard.templating.list.map((v) => [v.name, v]));
        expect(variables.datasource!.type).to.equal("datasource");
        expect(variables.stack!.query).to.equal("prod");
        expect(variables.service!.query).to.equal("storefront,cart,checkout");
        expect(variables.cluster!.query).to.equal("eks-use1,gke-euw1");
        expect(variables.namespace!.query).to.equal("shop");
        expect(variables.candidate!.current!.value).to.equal("green");
        expect(variables.stable!.current!.value).to.equal("blue");
        expect(variables.window!.current!.value, "one analysis interval (1m)").to.equal("60s");
    });

    it("answers --help, and an unknown metric source with what is allowed and the usage exit code 64", async () => {
        const help = await runSwitchyard(["dashboard", "--help"]);
        expect(help.code).to.equal(0);
        for (const option of ["--metrics", "--out", "--stack"]) expect(help.stdout).to.include(option);
        const refused = await runSwitchyard(["dashboard", "--stack", "prod", "--cwd", PROJECT_ROOT, "--metrics", "linkerd"]);
        expect(refused.code).to.equal(64);
        expect(refused.stderr.split("\n")[0]).to.equal('switchyard: --metrics: got "linkerd"; allowed: app, envoy-gateway, istio');
    });
});

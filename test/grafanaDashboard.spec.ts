// The dashboard model (model/grafanaDashboard.ts) in-process: the committed prod dashboard, and a
// split fleet's stacks, each offered what it deploys. test/dashboard.spec.ts runs the command itself.

import { expect } from "chai";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadProjectStack } from "../cli/switchyard/stack.ts";
import type { StackModel } from "../model/config/types.ts";
import { rolloutDashboard } from "../model/grafanaDashboard.ts";
import { PROJECT_ROOT } from "../model/stackFiles.ts";

type Variable = { name: string; query: string; current: { value: string } };
const variables = (dashboard: Record<string, unknown>) => (dashboard.templating as { list: Variable[] }).list;
const variable = (dashboard: Record<string, unknown>, name: string) => variables(dashboard).find((v) => v.name === name)!;

describe("grafana dashboard: the model", () => {
    it("builds exactly the committed dashboards/switchyard-prod.json from prod's stack", () => {
        const committed = JSON.parse(readFileSync(join(PROJECT_ROOT, "dashboards/switchyard-prod.json"), "utf8")) as unknown;
        const built = JSON.parse(JSON.stringify(rolloutDashboard({ stack: "prod", model: loadProjectStack("prod", PROJECT_ROOT).model }))) as unknown;
        expect(built).to.deep.equal(committed);
    });

    it("offers a cluster stack its own cluster, and a group's stack its group's services", () => {
        const cluster = loadProjectStack("prod-gke-euw1", PROJECT_ROOT).model;
        const own = rolloutDashboard({ stack: "prod-gke-euw1", model: cluster });
        expect([variable(own, "cluster").query, variable(own, "cluster").current.value]).to.deep.equal(["gke-euw1", "gke-euw1"]);
        expect(variable(own, "service").query).to.equal("storefront,cart,checkout");
        expect(variable(own, "namespace").query).to.equal("shop");
        // The same stack split by group: web holds cart and storefront, in the fleet's order.
        const grouped: StackModel = {
            ...cluster,
            scope: { kind: "cluster", cluster: "gke-euw1", group: "web" },
            fleet: { ...cluster.fleet!, groups: [{ name: "web", services: ["cart", "storefront"] }, { name: "backend", services: ["checkout"] }] },
        };
        const web = rolloutDashboard({ stack: "prod-gke-euw1-web", model: grouped });
        expect([variable(web, "service").query, variable(web, "service").current.value]).to.deep.equal(["storefront,cart", "storefront"]);
        expect(variable(web, "cluster").query).to.equal("gke-euw1");
    });

    it("offers a whole-fleet stack every cluster, and a stack with no cluster none, the switchyard namespace by default", () => {
        const prod = loadProjectStack("prod", PROJECT_ROOT).model;
        const all = rolloutDashboard({ stack: "prod", model: prod });
        expect(variable(all, "cluster").query).to.equal("eks-use1,gke-euw1");
        const none = rolloutDashboard({ stack: "prod-traffic", model: { ...prod, scope: { kind: "traffic" } } });
        expect([variable(none, "cluster").query, variable(none, "cluster").current.value]).to.deep.equal(["", ""]);
        expect([variable(none, "namespace").query, variable(none, "namespace").current.value]).to.deep.equal(["", "switchyard"]);
        expect(variable(none, "service").query, "a traffic stack holds every service's repository").to.equal("storefront,cart,checkout");
    });

    it("draws a stack without analysis on the app's metrics at one minute, and a blue candidate against green", () => {
        const prod = loadProjectStack("prod", PROJECT_ROOT).model;
        const stack = "a-stack-whose-name-runs-past-what-a-grafana-uid-holds";
        const { analysis: _, ...rollout } = prod.rollout;
        const bare = rolloutDashboard({ stack, model: { ...prod, rollout: { ...rollout, candidate: "blue" } } });
        expect(bare.uid, "Grafana's uid holds 40 characters").to.equal(`switchyard-${stack}`.slice(0, 40));
        expect(bare.title).to.equal(`switchyard rollout: ${stack} (app)`);
        expect([variable(bare, "candidate").current.value, variable(bare, "stable").current.value]).to.deep.equal(["blue", "green"]);
        expect([variable(bare, "window").query, variable(bare, "window").current.value]).to.deep.equal(["60s,1m,5m", "60s"]);
        const panels = bare.panels as { type: string; title: string; description: string; gridPos: { x: number; y: number; w: number }; targets: unknown[] }[];
        expect(panels.find((p) => p.title === "Requests per sample")!.description).to.include("fewer than minRequests (—)");
        // No checks: the middle row is empty, and the last one draws its two panels side by side under it.
        expect(panels.map((p) => [p.type, p.gridPos.x, p.gridPos.y, p.gridPos.w])).to.deep.equal([
            ["row", 0, 0, 24],
            ["timeseries", 0, 1, 12],
            ["timeseries", 12, 1, 12],
            ["row", 0, 9, 24],
            ["row", 0, 10, 24],
            ["state-timeline", 0, 11, 12],
            ["state-timeline", 12, 11, 12],
        ]);
        expect(panels.at(-1)!.targets).to.deep.equal([]);
    });

    it("lays three checks out two to a row, each panel in its check's unit", () => {
        const prod = loadProjectStack("prod", PROJECT_ROOT).model;
        const analysis = prod.rollout.analysis!;
        const custom = (name: string, unit: string) => ({ name, query: 'sum(rate(x{color="{color}"}[{window}]))', bound: "max" as const, threshold: 5, unit });
        const checks = [custom("errors", ""), custom("p50", "ms"), custom("share", "%")];
        const three = rolloutDashboard({ stack: "prod", model: { ...prod, rollout: { ...prod.rollout, analysis: { ...analysis, checks } } } });
        const panels = three.panels as { title: string; description: string; gridPos: { x: number; y: number; w: number }; fieldConfig: { defaults: { unit: string } } }[];
        const of = (name: string) => panels.find((p) => p.title === `${name}: candidate beside stable`)!;
        expect(checks.map((c) => of(c.name).fieldConfig.defaults.unit)).to.deep.equal(["short", "ms", "percent"]);
        expect(checks.map((c) => [of(c.name).gridPos.x, of(c.name).gridPos.y, of(c.name).gridPos.w])).to.deep.equal([
            [0, 10, 12],
            [12, 10, 12],
            [0, 18, 12],
        ]);
        expect(of("errors").description).to.equal("Is the candidate worse? errors per sample for both colors; the bar is max 5.");
        expect(of("p50").description).to.equal("Is the candidate worse? p50 per sample for both colors; the bar is max 5 ms.");
        // One check alone takes the row's whole width.
        const one = rolloutDashboard({ stack: "prod", model: { ...prod, rollout: { ...prod.rollout, analysis: { ...analysis, checks: [custom("errors", "")] } } } });
        const alone = (one.panels as { title: string; gridPos: { x: number; w: number } }[]).find((p) => p.title === "errors: candidate beside stable")!;
        expect([alone.gridPos.x, alone.gridPos.w]).to.deep.equal([0, 24]);
    });
});

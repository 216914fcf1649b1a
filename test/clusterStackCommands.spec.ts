// The single-stack commands on a split fleet's stacks: a cluster stack is judged, shown and
// exported on its own cluster (and group) only; a traffic stack has no weight to judge or move.

import { expect } from "chai";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseDocument } from "yaml";
import { main } from "../cli/switchyard.ts";
import { editStackFile } from "../cli/stackEdit.ts";
import { FAILING, HEALTHY } from "./fakeMetrics.ts";
import { fleetIo, fleetMetrics, fleetProjects } from "./fleetFixture.ts";

describe("switchyard --stack on a split fleet's stacks", function () {
    this.timeout(60_000);
    const project = fleetProjects();

    /** prod's fleet with both cluster stacks at 25 %, green failing on gke-euw1 only. */
    const failingOnGke = () => {
        const p = project({ cohorts: false });
        for (const stack of ["prod-eks-use1", "prod-gke-euw1"]) editStackFile(p.stackFile(stack), "switchyard", [{ greenWeight: 25 }]);
        const io = fleetIo();
        const metrics = fleetMetrics(p, io.now, (cluster) => ({ blue: HEALTHY, green: cluster === "gke-euw1" ? FAILING : HEALTHY }));
        return { p, io, metrics };
    };
    /** Both stacks at 25 % for a whole window, on the simulated clock. */
    const aWindowLater = async ({ io, metrics }: ReturnType<typeof failingOnGke>) => {
        for (const stack of ["prod-eks-use1", "prod-gke-euw1"]) metrics.observe(stack);
        for (let i = 0; i < 4; i++) await io.sleep(2000);
    };

    it("judges a cluster stack on its own cluster: another cluster's failing candidate neither fails nor rolls it back", async () => {
        const fleet = failingOnGke();
        const { p, io, metrics } = fleet;
        await aWindowLater(fleet);
        expect(await main(["analyze", "--stack", "prod-eks-use1", "--cwd", p.dir], io, async () => metrics), io.lines.join("\n")).to.equal(0);
        const report = io.lines.join("\n");
        expect(report).to.include("eks-use1");
        expect(report).not.to.include("gke-euw1");
        const before = readFileSync(p.stackFile("prod-eks-use1"), "utf8");
        const metricsFile = join(p.dir, "rollout.prom");
        expect(await main(["advance", "--stack", "prod-eks-use1", "--cwd", p.dir, "--metrics-file", metricsFile], io, async () => metrics), io.errors.join("\n")).to.equal(0);
        // The verdict's gauges, for a dashboard: this stack's cluster only.
        const gauges = readFileSync(metricsFile, "utf8");
        expect(gauges).to.include('cluster="eks-use1"');
        expect(gauges).not.to.include('cluster="gke-euw1"');
        expect(readFileSync(p.stackFile("prod-eks-use1"), "utf8"), "advanced, not rolled back").not.to.equal(before);
        expect(p.weight("prod-eks-use1")).to.equal(50);
        // The failing cluster's own stack still rolls back.
        expect(await main(["advance", "--stack", "prod-gke-euw1", "--cwd", p.dir], io, async () => metrics)).to.equal(1);
        expect(p.weight("prod-gke-euw1")).to.equal(0);
    });

    it("rolls back a cluster stack whose cohorts the fleet file holds: its weight in its file, the cohorts in the fleet file, never a key the fleet file sets in the stack file", async () => {
        // prod's beta cohort, in the fleet file, sends its users to green on every cluster.
        const p = project();
        for (const stack of ["prod-eks-use1", "prod-gke-euw1"]) editStackFile(p.stackFile(stack), "switchyard", [{ greenWeight: 25 }]);
        const io = fleetIo();
        const metrics = fleetMetrics(p, io.now, (cluster) => ({ blue: HEALTHY, green: cluster === "gke-euw1" ? FAILING : HEALTHY }), { cohortRequests: 5000 });
        await aWindowLater({ p, io, metrics });
        expect(p.cohortColor()).to.equal("green");
        expect(await main(["advance", "--stack", "prod-gke-euw1", "--cwd", p.dir], io, async () => metrics), io.errors.join("\n")).to.equal(1);
        expect(p.weight("prod-gke-euw1")).to.equal(0);
        expect(p.cohortColor(), "the fleet file's cohort").to.equal("blue");
        expect(readFileSync(p.stackFile("prod-gke-euw1"), "utf8")).not.to.include("cohorts");
        expect(io.lines).to.include(
            "switchyard prod-gke-euw1: fleets/prod.yaml: cohorts beta to blue — the fleet file every stack of prod reads: apply its cluster stacks too (or switchyard advance --fleet prod)",
        );
        // The operator's abort of the other cluster stack: its weight; the cohorts already point at blue.
        io.lines.length = 0;
        expect(await main(["rollback", "--stack", "prod-eks-use1", "--cwd", p.dir], io, async () => metrics), io.errors.join("\n")).to.equal(0);
        expect(p.weight("prod-eks-use1")).to.equal(0);
        expect(io.lines.join("\n")).to.match(/^switchyard prod-eks-use1: rolled back green to 0 % \(1 weight\(s\)\) — by hand\. Apply it: pulumi up --stack prod-eks-use1$/);
    });

    it("rolls back by hand the fleet file's cohorts of a cluster stack at 0 %", async () => {
        const p = project();
        const io = fleetIo();
        expect(await main(["rollback", "--stack", "prod-eks-use1", "--cwd", p.dir, "--reason", "beta users report errors"], io, async () => fleetMetrics(p, io.now, () => ({ blue: HEALTHY, green: HEALTHY })))).to.equal(0);
        expect(p.cohortColor()).to.equal("blue");
        expect(readFileSync(join(p.dir, "fleets/prod.yaml"), "utf8")).to.match(/color: blue +# switchyard rolled back 2026-05-01T10:00:00Z: beta users report errors/);
        expect(io.lines.join("\n")).to.include("fleets/prod.yaml: cohorts beta to blue — the fleet file every stack of prod reads");
    });

    it("rolls back a whole-fleet stack's cluster override where the fleet file sets it", async () => {
        const p = project({ cohorts: false });
        const fleetFile = join(p.dir, "fleets/prod.yaml");
        const doc = parseDocument(readFileSync(fleetFile, "utf8"));
        doc.setIn(["clusters", 1, "greenWeight"], 25);
        writeFileSync(fleetFile, doc.toString());
        writeFileSync(p.stackFile("whole"), "config:\n  switchyard:fleet: fleets/prod.yaml\n  switchyard:greenWeight: 0\n");
        const io = fleetIo();
        expect(await main(["rollback", "--stack", "whole", "--cwd", p.dir], io, async () => fleetMetrics(p, io.now, () => ({ blue: HEALTHY, green: HEALTHY }))), io.errors.join("\n")).to.equal(0);
        expect(parseDocument(readFileSync(fleetFile, "utf8")).getIn(["clusters", 1, "greenWeight"])).to.equal(0);
        expect(readFileSync(p.stackFile("whole"), "utf8")).not.to.include("clusters");
        expect(io.lines.join("\n")).to.include("fleets/prod.yaml: green to 0 % on gke-euw1 — the fleet file every stack of prod reads");
    });

    it("shows a cluster stack's weights and live rates for its own cluster only", async () => {
        const { p, io, metrics } = failingOnGke();
        expect(await main(["status", "--stack", "prod-gke-euw1", "--cwd", p.dir], io, async () => metrics), io.errors.join("\n")).to.equal(0);
        const shown = io.lines.join("\n");
        expect(shown).to.include("gke-euw1");
        expect(shown).not.to.include("eks-use1");
    });

    it("draws a cluster stack's dashboard for its own cluster, the one its --metrics-file reports", async () => {
        const { p, io, metrics } = failingOnGke();
        expect(await main(["dashboard", "--stack", "prod-gke-euw1", "--cwd", p.dir], io, async () => metrics), io.errors.join("\n")).to.equal(0);
        const dashboard = JSON.parse(io.lines.join("\n")) as { templating: { list: { name: string; query: string; current: { value: string } }[] } };
        const variable = (name: string) => dashboard.templating.list.find((v) => v.name === name)!;
        expect(variable("cluster").query).to.equal("gke-euw1");
        expect(variable("cluster").current.value).to.equal("gke-euw1");
        expect(variable("service").query, "the fleet's services, none grouped apart").to.equal("storefront,cart,checkout");
        expect(variable("stack").query).to.equal("prod-gke-euw1");
    });

    it("refuses the weight commands on a traffic stack as a usage error, naming where the weights are", async () => {
        const { p, io, metrics } = failingOnGke();
        for (const command of ["status", "analyze", "advance", "rollback"]) {
            io.errors.length = 0;
            expect(await main([command, "--stack", "prod-traffic", "--cwd", p.dir], io, async () => metrics), command).to.equal(64);
            expect(io.errors[0], command).to.equal(
                `switchyard: --stack prod-traffic: a traffic stack (switchyard:scope: traffic) has no routes and no weight of its own; ${command} acts on the fleet's cluster stacks: --stack prod-<cluster>, or --fleet prod\n`,
            );
        }
        expect(readFileSync(p.stackFile("prod-traffic"), "utf8")).not.to.include("rolled back");
    });
});

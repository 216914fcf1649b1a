// advance --fleet when Prometheus cannot judge the release: a selector that matches no series, a
// metric source whose counter is not there, a Prometheus that does not answer. Each is an error
// (exit 3) with nothing written, as for a single stack, and none of them ever holds a rollback.

import { expect } from "chai";
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PrometheusClient, PrometheusError } from "../cli/prometheus.ts";
import { main } from "../cli/switchyard.ts";
import type { MetricsApi } from "../cli/switchyard/collect.ts";
import { CommandError } from "../cli/switchyard/errors.ts";
import { fleetPass, type FleetDeployer } from "../cli/switchyard/fleet.ts";
import { FAILING, HEALTHY } from "./fakeMetrics.ts";
import { fleetIo, fleetMetrics, fleetProjects, type FleetProject } from "./fleetFixture.ts";

/** Each stack's applied weight, kept apart from the files; an apply is what the metrics see from then on. */
function fakeBackend(project: FleetProject, metrics: { observe(stack: string): void }): FleetDeployer & { applied: string[] } {
    const liveOf = new Map<string, number>();
    const applied: string[] = [];
    return {
        name: "the fake backend",
        applied,
        async apply(stack, reason) {
            applied.push(`${stack} ${project.weight(stack)} (${reason})`);
            liveOf.set(stack, project.weight(stack));
            metrics.observe(stack);
        },
        async live(stack) {
            return liveOf.get(stack);
        },
    };
}

/**
 * Prometheus where the queries `hidden` picks find no series, and the label values API answers
 * `labels` (a label by name, or by name on a selector: `service on http_requests_total{...}`).
 */
function withoutSeries(api: MetricsApi, hidden: (promql: string) => boolean, labels: Record<string, string[]>): MetricsApi {
    return {
        query: (promql, time) => (hidden(promql) ? Promise.resolve([]) : api.query(promql, time)),
        queryRange: (promql, ...rest) => (hidden(promql) ? Promise.resolve([]) : api.queryRange(promql, ...rest)),
        labelValues: async (name, match, start, end) => labels[`${name} on ${match}`] ?? labels[name] ?? api.labelValues(name, match, start, end),
    };
}

/** As if `cluster`'s metrics never got their cluster label: no query on it finds a series, and the label's values are only the others'. */
function withoutCluster(api: MetricsApi, cluster: string, others: string[]): MetricsApi {
    return withoutSeries(api, (promql) => promql.includes(`cluster="${cluster}"`), { cluster: others });
}

/** Every file of the project's top folder and fleets/ with its text: what "nothing written" compares. */
function filesOf(p: FleetProject): Record<string, string> {
    const files: Record<string, string> = {};
    for (const folder of [p.dir, join(p.dir, "fleets")]) {
        for (const name of readdirSync(folder).filter((n) => n.endsWith(".yaml"))) files[join(folder, name)] = readFileSync(join(folder, name), "utf8");
    }
    return files;
}

describe("advance --fleet: a pass that cannot judge the release writes nothing", function () {
    this.timeout(60_000);
    const project = fleetProjects();

    it("refuses (exit 3) when a carrying cluster stack's selector matches no series, naming every target, and writes nothing", async () => {
        const p = project();
        const io = fleetIo();
        // The beta cohort sends its users to green on both clusters: both stacks are judged at 0 %.
        const metrics = fleetMetrics(p, io.now, () => ({ blue: HEALTHY, green: HEALTHY }), { cohortRequests: 5000 });
        const api = withoutCluster(metrics, "gke-euw1", ["eks-use1"]);
        for (let i = 0; i < 4; i++) await io.sleep(2000);
        const before = filesOf(p);
        const refused = await fleetPass({ fleet: "prod", dir: p.dir, api, deployer: fakeBackend(p, metrics), io, start: true }).catch((error: unknown) => error);
        expect(refused, "a pass that holds would let the mistake wait forever").to.be.instanceOf(CommandError);
        const message = (refused as Error).message;
        expect(message).to.match(/^no requests series at all for 3 targets, so nothing can be judged/);
        expect(message).to.include("Nothing was written.");
        for (const service of ["storefront", "cart", "checkout"]) {
            expect(message).to.include(`  prod-gke-euw1: ${service} on gke-euw1: `);
        }
        expect(message).to.include('no series of http_requests_total in the last').and.include('has cluster="gke-euw1"; the cluster values it has there: "eks-use1"');
        expect(message, "eks-use1 has its series").not.to.include("on eks-use1:");
        expect(filesOf(p), "no stack file, fleet file or release record written").to.deep.equal(before);
        expect(existsSync(join(p.dir, "fleets/prod.release.yaml"))).to.equal(false);
        expect(p.weight("prod-eks-use1")).to.equal(0);
    });

    it("names each key where the fleet file sets it, at its index in the file, not in the stack's part of the fleet", async () => {
        // Split by group: prod-gke-euw1-backend holds one cluster (gke-euw1, the file's clusters[1])
        // and two services (cart and checkout, the file's services[1] and [2]).
        const p = project({ groups: true });
        const io = fleetIo();
        const metrics = fleetMetrics(p, io.now, () => ({ blue: HEALTHY, green: HEALTHY }), { cohortRequests: 5000 });
        const api = withoutSeries(metrics, (q) => q.includes('cluster="gke-euw1"') || (q.includes('service="cart"') && q.includes('cluster="eks-use1"')), {
            cluster: ["eks-use1"],
            'service on http_requests_total{cluster="eks-use1"}': ["storefront", "checkout"],
        });
        for (let i = 0; i < 4; i++) await io.sleep(2000);
        const refused = await fleetPass({ fleet: "prod", dir: p.dir, api, deployer: fakeBackend(p, metrics), io, start: true }).catch((error: unknown) => error);
        expect(refused).to.be.instanceOf(CommandError);
        const problems = (refused as Error).message.split("\n").slice(1).map((line) => line.replace(/: no series of .*/, ""));
        expect(problems.sort()).to.deep.equal([
            "  prod-eks-use1-backend: cart on eks-use1: fleets/prod.yaml: services[1].name",
            "  prod-gke-euw1-backend: cart on gke-euw1: fleets/prod.yaml: clusters[1].name",
            "  prod-gke-euw1-backend: checkout on gke-euw1: fleets/prod.yaml: clusters[1].name",
            "  prod-gke-euw1-web: storefront on gke-euw1: fleets/prod.yaml: clusters[1].name",
        ]);
    });

    it("names the fleet file's keys for a single stack that reads the fleet file too", async () => {
        const p = project();
        writeFileSync(join(p.dir, "Pulumi.whole.yaml"), "config:\n  switchyard:fleet: fleets/prod.yaml\n  switchyard:greenWeight: 5\n");
        const io = fleetIo();
        const metrics = fleetMetrics(p, io.now, () => ({ blue: HEALTHY, green: HEALTHY }), { cohortRequests: 5000 });
        const api = withoutCluster(metrics, "gke-euw1", ["eks-use1"]);
        expect(await main(["analyze", "--stack", "whole", "--cwd", p.dir], io, async () => api)).to.equal(3);
        const problems = io.errors.join("\n").split("\n").filter((line) => line.startsWith("  ")).map((line) => line.replace(/: no series of .*/, ""));
        expect(problems).to.deep.equal([
            "  storefront on gke-euw1: fleets/prod.yaml: clusters[1].name",
            "  cart on gke-euw1: fleets/prod.yaml: clusters[1].name",
            "  checkout on gke-euw1: fleets/prod.yaml: clusters[1].name",
        ]);
    });

    it("asks Prometheus before --start moves a fleet nothing carries yet: a missing metric source's counter is an error, nothing written", async () => {
        // Without the cohort, every stack at 0 % gives the candidate nothing: no stack is judged.
        const p = project({ cohorts: false });
        const io = fleetIo();
        const metrics = fleetMetrics(p, io.now, () => ({ blue: HEALTHY, green: HEALTHY }));
        const asked: string[] = [];
        // A Prometheus that scrapes Istio's proxies, while the fleet file says metrics: app.
        const api: MetricsApi = { ...metrics, labelValues: async (name, match) => (asked.push(`${name} on ${match}`), name === "__name__" && match === "istio_requests_total" ? [match] : []) };
        const before = filesOf(p);
        const refused = await fleetPass({ fleet: "prod", dir: p.dir, api, deployer: fakeBackend(p, metrics), io, start: true }).catch((error: unknown) => error);
        expect(refused).to.be.instanceOf(CommandError);
        expect((refused as Error).message).to.match(/^fleets\/prod\.yaml: rollout\.analysis\.metrics: "app" counts requests with http_requests_total, and Prometheus has no http_requests_total series /);
        expect((refused as Error).message).to.include("it has istio_requests_total (metrics: istio)").and.match(/Nothing was judged and nothing written\.$/);
        expect(asked[0]).to.equal("__name__ on http_requests_total");
        expect(filesOf(p)).to.deep.equal(before);
        expect(["prod-eks-use1", "prod-gke-euw1"].map(p.weight)).to.deep.equal([0, 0]);
        // The same fleet, with the counter there, starts.
        const started = await fleetPass({ fleet: "prod", dir: p.dir, api: metrics, deployer: fakeBackend(p, metrics), io, start: true });
        expect(started.decision).to.include({ action: "advance", wave: "canary", to: 5 });
    });

    it("refuses a pass of a fleet nothing carries when Prometheus does not answer, with or without --start, and writes nothing", async () => {
        const p = project({ cohorts: false });
        const io = fleetIo();
        const metrics = fleetMetrics(p, io.now, () => ({ blue: HEALTHY, green: HEALTHY }));
        // The fixture's rollout.analysis.prometheus.url: a port nothing listens on.
        const api = new PrometheusClient({ url: "http://127.0.0.1:1" });
        const before = filesOf(p);
        for (const start of [true, false]) {
            const refused = await fleetPass({ fleet: "prod", dir: p.dir, api, deployer: fakeBackend(p, metrics), io, start }).catch((error: unknown) => error);
            expect(refused, `start: ${start}`).to.be.instanceOf(PrometheusError);
            expect((refused as Error).message).to.match(/^cannot reach Prometheus at http:\/\/127\.0\.0\.1:1/);
        }
        expect(filesOf(p)).to.deep.equal(before);
        expect(existsSync(join(p.dir, "fleets/prod.release.yaml"))).to.equal(false);
    });

    /** prod's fleet started: eks-use1 (the canary) at 5 %, applied; green's health is `health.green`. */
    const atCanary = async () => {
        const p = project({ cohorts: false });
        const io = fleetIo();
        const health = { green: HEALTHY };
        const metrics = fleetMetrics(p, io.now, () => ({ blue: HEALTHY, green: health.green }));
        const backend = fakeBackend(p, metrics);
        const options = { fleet: "prod", dir: p.dir, deployer: backend, io };
        expect((await fleetPass({ ...options, api: metrics, start: true })).decision).to.include({ action: "advance", wave: "canary", to: 5 });
        return { p, io, health, metrics, backend, options };
    };

    it("resumes a step back at once but a step forward only once the pass's metrics answer", async () => {
        const { p, io, metrics, backend, options } = await atCanary();
        expect(backend.applied.at(-1)).to.equal("prod-eks-use1 5 (wave canary: green to 5 %)");
        // A stopped run left one file ahead of what is live and one behind: eks-use1's step forward
        // to 10 % edited, never applied; gke-euw1 applied at 5 % by hand, then its file put back to 0.
        const setWeight = (stack: string, from: number, to: number) =>
            writeFileSync(p.stackFile(stack), readFileSync(p.stackFile(stack), "utf8").replace(`switchyard:greenWeight: ${from}`, `switchyard:greenWeight: ${to}`));
        setWeight("prod-eks-use1", 5, 10);
        setWeight("prod-gke-euw1", 0, 5);
        await backend.apply("prod-gke-euw1", "by hand", 1);
        setWeight("prod-gke-euw1", 5, 0);
        backend.applied.length = 0;
        const down = new PrometheusClient({ url: "http://127.0.0.1:1" });
        const refused = await fleetPass({ ...options, api: down, start: false }).catch((error: unknown) => error);
        expect(refused).to.be.instanceOf(PrometheusError);
        expect(backend.applied, "the step back, and not the step forward").to.deep.equal(["prod-gke-euw1 0 (resume greenWeight 0)"]);
        expect(io.lines).to.include("prod-eks-use1 not resumed: a step forward is applied only once the metrics answer");
        // Once Prometheus answers, the step forward is applied.
        await fleetPass({ ...options, api: metrics, start: false });
        expect(backend.applied[1]).to.equal("prod-eks-use1 10 (resume greenWeight 10)");
    });

    it("tells a step forward from a step back by the candidate's weight when blue is the candidate", async () => {
        const p = project({ cohorts: false, candidate: "blue" });
        const io = fleetIo();
        const metrics = fleetMetrics(p, io.now, () => ({ blue: HEALTHY, green: HEALTHY }));
        const backend = fakeBackend(p, metrics);
        const options = { fleet: "prod", dir: p.dir, deployer: backend, io };
        expect((await fleetPass({ ...options, api: metrics, start: true })).decision).to.include({ action: "advance", wave: "canary", to: 5 });
        expect(backend.applied.at(-1)).to.equal("prod-eks-use1 95 (wave canary: blue to 5 %)");
        // greenWeight 90 gives blue, the candidate, 10 %: a step forward, though the number went down.
        writeFileSync(p.stackFile("prod-eks-use1"), readFileSync(p.stackFile("prod-eks-use1"), "utf8").replace("switchyard:greenWeight: 95", "switchyard:greenWeight: 90"));
        backend.applied.length = 0;
        const refused = await fleetPass({ ...options, api: new PrometheusClient({ url: "http://127.0.0.1:1" }), start: false }).catch((error: unknown) => error);
        expect(refused).to.be.instanceOf(PrometheusError);
        expect(backend.applied, "not applied on missing data").to.deep.equal([]);
        // greenWeight 100 gives blue 0 %: a step back, applied at once, whatever Prometheus says.
        writeFileSync(p.stackFile("prod-eks-use1"), readFileSync(p.stackFile("prod-eks-use1"), "utf8").replace("switchyard:greenWeight: 90", "switchyard:greenWeight: 100"));
        await fleetPass({ ...options, api: new PrometheusClient({ url: "http://127.0.0.1:1" }), start: false }).catch(() => undefined);
        expect(backend.applied).to.deep.equal(["prod-eks-use1 100 (resume greenWeight 100)"]);
    });

    it("rolls back a failing candidate with a step forward pending, even when Prometheus refuses its label values", async () => {
        const { p, io, health, metrics, backend, options } = await atCanary();
        writeFileSync(p.stackFile("prod-eks-use1"), readFileSync(p.stackFile("prod-eks-use1"), "utf8").replace("switchyard:greenWeight: 5", "switchyard:greenWeight: 10"));
        health.green = FAILING;
        for (let i = 0; i < 4; i++) await io.sleep(2000);
        backend.applied.length = 0;
        // A proxy in front of Prometheus that answers queries but not the label values API.
        const refusing: MetricsApi = { ...metrics, labelValues: () => Promise.reject(new Error("403 Forbidden")) };
        const rolledBack = await fleetPass({ ...options, api: refusing, start: false });
        expect(rolledBack.decision.action).to.equal("rollback");
        expect(rolledBack.exitCode).to.equal(1);
        expect(backend.applied, "rolled back, never the step forward first").to.deep.equal(["prod-eks-use1 0 (roll back)"]);
        expect(p.weight("prod-eks-use1")).to.equal(0);
    });

    it("still rolls back (exit 1) when one stack fails while another's selector matches no series", async () => {
        const p = project();
        const io = fleetIo();
        const metrics = fleetMetrics(p, io.now, (cluster) => ({ blue: HEALTHY, green: cluster === "eks-use1" ? FAILING : HEALTHY }), { cohortRequests: 5000 });
        const api = withoutCluster(metrics, "gke-euw1", ["eks-use1"]);
        for (let i = 0; i < 4; i++) await io.sleep(2000);
        const rolledBack = await fleetPass({ fleet: "prod", dir: p.dir, api, deployer: fakeBackend(p, metrics), io, start: true });
        expect(rolledBack.decision.action).to.equal("rollback");
        expect(rolledBack.exitCode).to.equal(1);
        expect(p.cohortColor(), "the cohort taken off the candidate").to.equal("blue");
        expect(existsSync(join(p.dir, "fleets/prod.release.yaml")), "the rollback is recorded").to.equal(true);
    });
});

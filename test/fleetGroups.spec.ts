// A fleet split by service group (fleets/prod.yaml with groups web and backend): a traffic shard
// per group and a stack per cluster and group. Every --fleet command lists every one of them, the
// traffic shards before the cluster stacks, and a cluster stack is rehearsed against its own
// group's shard.

import { expect } from "chai";
import { readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { parseDocument } from "yaml";
import { main } from "../cli/switchyard.ts";
import { HEALTHY } from "./fakeMetrics.ts";
import { fleetIo, fleetMetrics, fleetProjects } from "./fleetFixture.ts";

const TRAFFIC = ["prod-traffic-web", "prod-traffic-backend"];
const CANARY = ["prod-eks-use1-web", "prod-eks-use1-backend"];
const REST = ["prod-gke-euw1-web", "prod-gke-euw1-backend"];

describe("fleet split by groups: every stack of the fleet", function () {
    this.timeout(60_000);
    const projects = fleetProjects();
    const project = () => projects({ groups: true });

    it("prints each traffic shard, then each cluster's group stacks wave by wave, as the CI matrix", async () => {
        const p = project();
        const io = fleetIo();
        expect(await main(["stacks", "--fleet", "prod", "--json", "--cwd", p.dir], io), io.errors.join("\n")).to.equal(0);
        const matrix = JSON.parse(io.lines.at(-1)!);
        expect(matrix.traffic).to.deep.equal([
            { stack: "prod-traffic-web", scope: "traffic/web", kind: "traffic", group: "web" },
            { stack: "prod-traffic-backend", scope: "traffic/backend", kind: "traffic", group: "backend" },
        ]);
        expect(matrix.clusters).to.deep.equal([
            { stack: "prod-eks-use1-web", scope: "eks-use1/web", kind: "cluster", cluster: "eks-use1", group: "web", wave: "canary", waveIndex: 0, approval: false },
            { stack: "prod-eks-use1-backend", scope: "eks-use1/backend", kind: "cluster", cluster: "eks-use1", group: "backend", wave: "canary", waveIndex: 0, approval: false },
            { stack: "prod-gke-euw1-web", scope: "gke-euw1/web", kind: "cluster", cluster: "gke-euw1", group: "web", wave: "rest", waveIndex: 1, approval: true },
            { stack: "prod-gke-euw1-backend", scope: "gke-euw1/backend", kind: "cluster", cluster: "gke-euw1", group: "backend", wave: "rest", waveIndex: 1, approval: true },
        ]);
        const text = fleetIo();
        expect(await main(["stacks", "--fleet", "prod", "--cwd", p.dir], text)).to.equal(0);
        const listed = text.lines.join("\n").split("\n").filter((l) => /^ {2}prod-/.test(l)).map((l) => l.trim().split(/\s+/).slice(0, 2).join(" "));
        expect(listed).to.deep.equal([
            "prod-traffic-web traffic/web",
            "prod-traffic-backend traffic/backend",
            "prod-eks-use1-web eks-use1/web",
            "prod-eks-use1-backend eks-use1/backend",
            "prod-gke-euw1-web gke-euw1/web",
            "prod-gke-euw1-backend gke-euw1/backend",
        ]);
    });

    it("lists the cluster stacks in the order the waves walk them, not the order of clusters in the file", async () => {
        const p = project();
        // gke-euw1 becomes the canary: its wave goes first, though the file lists it second.
        const doc = parseDocument(readFileSync(p.fleetFile, "utf8"));
        doc.setIn(["rollout", "waves", 0, "clusters"], ["gke-euw1"]);
        doc.setIn(["rollout", "waves", 1, "clusters"], ["eks-use1"]);
        writeFileSync(p.fleetFile, doc.toString());
        const io = fleetIo();
        expect(await main(["stacks", "--fleet", "prod", "--json", "--cwd", p.dir], io), io.errors.join("\n")).to.equal(0);
        expect(JSON.parse(io.lines.at(-1)!).clusters.map((s: { stack: string }) => s.stack)).to.deep.equal([...REST, ...CANARY]);
    });

    it("shows in status the traffic shards and every group stack of each wave, with its cluster and group", async () => {
        const p = project();
        const io = fleetIo();
        expect(await main(["status", "--fleet", "prod", "--cwd", p.dir], io), io.errors.join("\n")).to.equal(0);
        const lines = io.lines.join("\n").split("\n");
        expect(lines).to.include(`traffic (ECR, Route53; a release never moves it): ${TRAFFIC.join(", ")}`);
        // Both of a wave's stacks update at once unless the wave says otherwise.
        expect(lines).to.include("wave canary (soak 6s, parallel 2):");
        const rows = lines.filter((l) => /^ {2}prod-/.test(l)).map((l) => l.trim().replace(/\s+/g, " "));
        expect(rows).to.deep.equal([
            "prod-eks-use1-web green 0 % on eks-use1, group web",
            "prod-eks-use1-backend green 0 % on eks-use1, group backend",
            "prod-gke-euw1-web green 0 % on gke-euw1, group web",
            "prod-gke-euw1-backend green 0 % on gke-euw1, group backend",
        ]);
    });

    it("refuses, before writing anything, a grouped fleet whose traffic shard has no stack file, naming the file and its scope", async () => {
        const p = project();
        rmSync(p.stackFile("prod-traffic-backend"));
        const before = readdirSync(p.dir).sort();
        for (const command of [["stacks"], ["status"], ["advance", "--start", "--rehearse"]]) {
            const io = fleetIo();
            expect(await main([...command, "--fleet", "prod", "--cwd", p.dir], io), command[0]).to.equal(3);
            expect(io.errors.join("\n"), command[0]).to.include(
                "Pulumi.prod-traffic-backend.yaml: got no such file; allowed: a stack file with switchyard:fleet: fleets/prod.yaml and switchyard:scope: traffic/backend (the traffic shard of group backend of fleets/prod.yaml)",
            );
        }
        expect(readdirSync(p.dir).sort()).to.deep.equal(before);
        expect(CANARY.map(p.weight)).to.deep.equal([0, 0]);
    });

    it("rehearses each group stack of the canary wave against its own group's traffic shard", async () => {
        const p = project();
        const io = fleetIo();
        const metrics = fleetMetrics(p, io.now, () => ({ blue: HEALTHY, green: HEALTHY }));
        const code = await main(["advance", "--fleet", "prod", "--start", "--rehearse", "--cwd", p.dir], io, async () => metrics);
        expect(code, io.errors.join("\n")).to.equal(0);
        // First every stack that never applied (all four), then the canary's two at 5 %: web's storefront
        // builds green, so its stacks read the images of prod-traffic-web; backend's build nothing.
        const rehearsed = io.lines.filter((l) => l.startsWith("rehearsed "));
        expect(rehearsed.filter((l) => l.includes("(resume greenWeight 0)")).sort()).to.deep.equal(
            ["eks-use1-backend", "eks-use1-web", "gke-euw1-backend", "gke-euw1-web"].map((s) => `rehearsed prod-${s} (resume greenWeight 0): green 0 %`),
        );
        expect(rehearsed.filter((l) => l.includes("(wave canary")).sort()).to.deep.equal(
            ["eks-use1-backend", "eks-use1-web"].map((s) => `rehearsed prod-${s} (wave canary: green to 5 %): green 5 %`),
        );
        expect(["eks-use1-web", "eks-use1-backend", "gke-euw1-web", "gke-euw1-backend"].map((s) => p.weight(`prod-${s}`))).to.deep.equal([5, 5, 0, 0]);
    });
});

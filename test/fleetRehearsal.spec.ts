// advance --fleet --rehearse run as CI runs it: one process per scheduled pass. What a rehearsal
// applied (the stack's state, as a backend keeps it) outlives the process, so the next pass's gate
// compares the new objects with the old ones; and the program rehearsed is the fleet's own project.

import { expect } from "chai";
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseDocument } from "yaml";
import { loadFleet } from "../cli/switchyard/fleet.ts";
import { fleetRehearsalDeployer, readRehearsal } from "../cli/switchyard/fleetDeployers.ts";
import { editStackFile } from "../cli/stackEdit.ts";
import { fleetProjects, type FleetProject } from "./fleetFixture.ts";

const REPOSITORY = resolve(import.meta.dirname, "..");

describe("advance --fleet --rehearse: each pass its own process", function () {
    this.timeout(120_000);
    const project = fleetProjects();

    /** A new deployer over the fleet as it is on disk now: what a new `switchyard advance --fleet prod --rehearse` process starts with. */
    const newProcess = async (p: FleetProject, lines: string[] = []) => fleetRehearsalDeployer(loadFleet("prod", p.dir), (line) => lines.push(line));
    const setWeight = (p: FleetProject, stack: string, weight: number) => editStackFile(p.stackFile(stack), "switchyard", [{ greenWeight: weight }]);

    it("refuses, in the next process, a step larger than rollout.maxStep made by hand: the gate sees what the last process applied", async () => {
        const p = project();
        setWeight(p, "prod-eks-use1", 5);
        await (await newProcess(p)).apply("prod-eks-use1", "wave canary: green to 5 %", 1);
        expect(readRehearsal(p.dir, "prod-eks-use1")?.greenWeight).to.equal(5);
        // Someone edits the stack file by hand: 5 % → 50 %, while the fleet file's maxStep is 25.
        setWeight(p, "prod-eks-use1", 50);
        const refused = await (await newProcess(p)).apply("prod-eks-use1", "by hand to 50 %", 1).catch((error: unknown) => error);
        expect(refused, "a first deploy would only warn: the next process must start from the state the last one left").to.be.instanceOf(Error);
        expect((refused as Error).message).to.include("green would go from 5 % to 50 % (+45) in one update, more than switchyard:rollout.maxStep (25)");
        const next = await newProcess(p);
        expect(await next.live("prod-eks-use1"), "a refused apply leaves what was live").to.equal(5);
        // The step the gate allows, in yet another process, goes on from that state.
        setWeight(p, "prod-eks-use1", 25);
        const lines: string[] = [];
        await (await newProcess(p, lines)).apply("prod-eks-use1", "wave canary: green to 25 %", 1);
        expect(lines).to.deep.equal(["rehearsed prod-eks-use1 (wave canary: green to 25 %): green 25 %"]);
    });

    it("rehearses the fleet file of the project it is given, not this repository's: a service only the copy has gets its route", async () => {
        const p = project();
        // The copy's fleet file gains a service that fleets/prod.yaml of this repository does not have.
        const doc = parseDocument(readFileSync(p.fleetFile, "utf8"));
        const cart = (doc.toJS().services as { name: string }[]).find((s) => s.name === "cart")!;
        doc.addIn(["services"], { ...cart, name: "search" });
        writeFileSync(p.fleetFile, doc.toString());
        expect(readFileSync(join(REPOSITORY, "fleets/prod.yaml"), "utf8"), "the repository's fleet has no such service").not.to.match(/name: search\b/);
        setWeight(p, "prod-eks-use1", 5);
        await (await newProcess(p)).apply("prod-eks-use1", "wave canary: green to 5 %", 1);
        const routes = readRehearsal(p.dir, "prod-eks-use1")!.routes!;
        expect(Object.keys(routes).sort()).to.deep.equal(["cart", "checkout", "search", "storefront"]);
    });
});

// prod split into prod-traffic and a stack per cluster, run under the mocks: the same resources
// with the same names and parents as the single stack, a state move that lands on a no-op
// preview, a flip that touches one cluster's routes only, and the traffic stack's images read by
// the cluster stacks.

import { expect } from "chai";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import program from "../index.ts";
import { ProgramError, inputChanges, runProgram, type ProgramRun, type RunOptions } from "../harness/mockRuntime.ts";
import { copyLive, type Live } from "../harness/providerModels.ts";
import { PROJECT_ROOT, loadStackConfig } from "../model/stackFiles.ts";
import { TYPES } from "./support.ts";

const TRAFFIC = "organization/switchyard/prod-traffic";
const SPLIT = ["prod-traffic", "prod-eks-use1", "prod-gke-euw1"] as const;
const ROOT = "pulumi:pulumi:Stack";

function run(stack: string, options: RunOptions = {}, set: Record<string, string> = {}): Promise<ProgramRun> {
    return runProgram(program, loadStackConfig(stack, set), options);
}

/** A URN with its stack's name taken out, so two stacks' URNs compare. */
function rebased(urn: string, stack: string): string {
    return urn.replace(`urn:pulumi:${stack}::`, "urn:pulumi:<stack>::");
}

function urnsOf(run: ProgramRun, stack: string): string[] {
    return run.resources.filter((r) => r.type !== ROOT).map((r) => rebased(r.urn, stack));
}

/** What `pulumi state move --source prod --dest <stack>` leaves in the destination: the moved entries under its name. */
function movedState(single: Live, stack: string, urns: ReadonlySet<string>): Live {
    const live = copyLive(single);
    live.resources = new Map(
        [...single.resources]
            .filter(([urn]) => urns.has(rebased(urn, "prod")))
            .map(([urn, entry]) => [urn.replace("urn:pulumi:prod::", `urn:pulumi:${stack}::`), structuredClone(entry)]),
    );
    return live;
}

describe("fleet stacks: prod as a traffic stack and a stack per cluster", function () {
    let single: ProgramRun;
    let traffic: ProgramRun;
    const clusters = new Map<string, ProgramRun>();

    before(async () => {
        // The steady state: a second up reuses the tag the first pushed (no docker Image any more).
        single = await run("prod", { live: (await run("prod")).live });
        traffic = await run("prod-traffic", { live: (await run("prod-traffic")).live });
        for (const stack of SPLIT.slice(1)) clusters.set(stack, await run(stack, { stacks: { [TRAFFIC]: traffic.outputs } }));
    });

    it("registers in each cluster stack the single stack's resources of that cluster, and everything else in the traffic stack", () => {
        const singleUrns = urnsOf(single, "prod");
        const eks = urnsOf(clusters.get("prod-eks-use1")!, "prod-eks-use1");
        const gke = urnsOf(clusters.get("prod-gke-euw1")!, "prod-gke-euw1");
        const spanning = urnsOf(traffic, "prod-traffic");
        expect(eks.length, "a provider, a namespace, 3 services × (2 Deployments, 2 Services, 1 route) and the components").to.be.greaterThan(15);
        expect(eks.every((u) => u.includes("eks-use1")), "nothing of another cluster").to.equal(true);
        expect(gke.every((u) => u.includes("gke-euw1"))).to.equal(true);
        expect(spanning.some((u) => u.includes(TYPES.httpRoute) || u.includes(TYPES.deployment)), "no cluster object in the traffic stack").to.equal(false);
        expect([...spanning, ...eks, ...gke].sort()).to.deep.equal([...singleUrns].sort());
    });

    it("lands on a no-op preview in every split stack after the single stack's state is moved there", async () => {
        const moved = async (stack: string, options: RunOptions) => {
            const first = stack === "prod-traffic" ? traffic : clusters.get(stack)!;
            const live = movedState(single.live, stack, new Set(urnsOf(first, stack)));
            return run(stack, { ...options, live, preview: true });
        };
        for (const stack of SPLIT) {
            const preview = await moved(stack, stack === "prod-traffic" ? {} : { stacks: { [TRAFFIC]: traffic.outputs } });
            const changed = preview.resources.filter((r) => r.custom && r.step !== "same").map((r) => `${r.step} ${r.urn}`);
            expect(changed, stack).to.deep.equal([]);
            expect(preview.deleted, stack).to.deep.equal([]);
        }
    });

    it("outputs the image every color runs from the traffic stack, and the cluster stacks run those", () => {
        const images = traffic.outputs.images as Record<string, Record<string, string>>;
        expect(images.storefront!.green, "the build, pinned by digest").to.match(/\/shop\/storefront:1\.5\.0-[0-9a-f]{12}@sha256:[0-9a-f]{64}$/);
        const deployment = clusters.get("prod-eks-use1")!.resources.find((r) => r.type === TYPES.deployment && r.name === "eks-use1.storefront.green")!;
        const container = (deployment.inputs.spec as { template: { spec: { containers: { image: string }[] } } }).template.spec.containers[0]!;
        expect(container.image).to.equal(images.storefront!.green);
    });

    it("changes exactly one cluster's HTTPRoutes when that cluster stack's greenWeight moves", async () => {
        const eks = clusters.get("prod-eks-use1")!;
        const flipped = await run("prod-eks-use1", { stacks: { [TRAFFIC]: traffic.outputs }, live: eks.live, preview: true }, { greenWeight: "25" });
        const changes = inputChanges(eks, flipped);
        expect(changes.map((c) => c.type)).to.deep.equal([TYPES.httpRoute, TYPES.httpRoute, TYPES.httpRoute]);
        expect(changes.every((c) => c.urn.includes("eks-use1"))).to.equal(true);
        const trafficAgain = await run("prod-traffic", { live: traffic.live, preview: true }, { greenWeight: "25" });
        expect(inputChanges(traffic, trafficAgain), "the traffic stack does not depend on a weight").to.deep.equal([]);
    });

    it("keeps every split stack's config small whatever the fleet's size: it names the fleet file, not the fleet", () => {
        for (const stack of SPLIT) {
            const text = JSON.stringify(loadStackConfig(stack).config);
            expect(text.length, stack).to.be.below(8 * 1024);
            for (const name of ["storefront", "cart", "checkout", "eks-use1.shop.example.com"]) expect(text, `${stack} carries ${name}`).to.not.include(name);
        }
        expect(JSON.stringify(loadStackConfig("prod").config), "the single stack carries the whole fleet").to.include("storefront");
    });

    it("refuses a cluster stack whose traffic stack lacks a built image, before registering anything of the cluster", async () => {
        const error = await run("prod-eks-use1", { stacks: { [TRAFFIC]: { images: { storefront: {} } } } }).then(
            () => undefined,
            (e: unknown) => e,
        );
        expect(error).to.be.instanceOf(ProgramError);
        expect((error as ProgramError).message).to.equal(
            "switchyard: stack prod-traffic has no image for storefront.green in its images output; a build goes to the traffic stack first: " +
                "run `pulumi up --stack prod-traffic`, then this cluster's stack (docs/scaling.md)",
        );
        expect((error as ProgramError).resources.filter((r) => r.type !== ROOT)).to.deep.equal([]);
    });

    it("fails as the engine does when the traffic stack does not exist", async () => {
        const error = await run("prod-eks-use1").then(
            () => undefined,
            (e: unknown) => e,
        );
        expect(String((error as Error).message)).to.include(`stack '${TRAFFIC}' not found`);
    });
});

describe("fleet stacks: groups split a cluster's stack by service", function () {
    const dir = join(PROJECT_ROOT, "fleets", `spec-${process.pid}`);
    const file = `fleets/spec-${process.pid}/prod.yaml`;

    before(() => {
        const fleet = parse(readFileSync(join(PROJECT_ROOT, "fleets/prod.yaml"), "utf8")) as Record<string, unknown>;
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, "prod.yaml"), stringify({ ...fleet, groups: [{ name: "web", services: ["storefront"] }, { name: "backend", services: ["cart", "checkout"] }] }));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    const groupRun = (group: string, options: RunOptions = {}) =>
        runProgram(program, { ...loadStackConfig("prod-eks-use1", { fleet: file, scope: `eks-use1/${group}` }), stack: `prod-eks-use1-${group}` }, options);

    it("registers only its group's services, and needs no traffic stack when none of them builds", async () => {
        const backend = await groupRun("backend");
        const routes = backend.resources.filter((r) => r.type === TYPES.httpRoute).map((r) => r.name);
        expect(routes.sort()).to.deep.equal(["eks-use1.cart", "eks-use1.checkout"]);
    });

    it("reads its group's traffic stack for the group whose color builds, and that shard holds only the group's ECR and DNS", async () => {
        const error = await groupRun("web").then(
            () => undefined,
            (e: unknown) => e,
        );
        expect(String((error as Error).message)).to.include(`stack '${TRAFFIC}-web' not found`);
        const shard = await runProgram(program, { ...loadStackConfig("prod-traffic", { fleet: file, scope: "traffic/web" }), stack: "prod-traffic-web" });
        const records = shard.resources.filter((r) => r.type === TYPES.record && r.name.includes(".eks-use1")).map((r) => r.name);
        expect(records.sort()).to.deep.equal(["storefront.eks-use1", "storefront.eks-use1.direct"]);
        const built = await groupRun("web", { stacks: { [`${TRAFFIC}-web`]: shard.outputs } });
        expect(built.resources.filter((r) => r.type === TYPES.httpRoute).map((r) => r.name)).to.deep.equal(["eks-use1.storefront"]);
    });
});

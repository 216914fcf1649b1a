// Stack config → a validated, typed model of the fleet. Pure: no Pulumi import and no resources,
// so every bad value is reported before anything is registered. Each key has its reader beside its
// rules, in the file named after it:
//   greenWeight, idleReplicas   model/config/weights.ts
//   clusters                    model/config/clusters.ts
//   services                    model/config/services.ts (services[].capacity: model/capacity.ts)
//   dns                         model/config/dns.ts
//   images                      model/config/images.ts
//   aws, kubeconfig, requireImageDigests   here
//   fleet                       model/config/fleetFile.ts (the fleet's shape in a file)
//   scope, groups, rollout.waves   model/config/scope.ts
//   cohorts, mirror             model/cohorts.ts
//   capacity                    model/capacity.ts
//   rollout                     model/rollout.ts
// Rules across keys: model/config/fleet.ts. The shapes: model/config/types.ts.

import { checkCapacity, readCapacityTarget } from "../capacity.ts";
import { checkCohorts, readCohorts, readMirror } from "../cohorts.ts";
import { checkRollout, readRollout } from "../rollout.ts";
import { Problems, closest, isPlainObject } from "../validation.ts";
import { readCluster } from "./clusters.ts";
import { readDns } from "./dns.ts";
import { fleetLabel, withFleetFile, type FleetSource } from "./fleetFile.ts";
import { checkFleetScope, readGroups, readScope, readWaves } from "./scope.ts";
import { checkFleet, checkUnique } from "./fleet.ts";
import { readImages } from "./images.ts";
import { CONFIG_KEYS, PROJECT, keyHint, readBoolean, readList, readObjectKey } from "./keys.ts";
import { AWS_REGIONS } from "./patterns.ts";
import { readService } from "./services.ts";
import type { FleetSpec, ParseEnvironment, RawConfig, StackModel, WaveSpec } from "./types.ts";
import { readGreenWeight, readIdleReplicas } from "./weights.ts";

const AWS_KEYS = ["region"] as const;

function wholeFleetWave(clusters: string[], stacksPerCluster: number): WaveSpec {
    return { name: "fleet", clusters, parallel: Math.max(1, clusters.length * stacksPerCluster), soakSeconds: 0, approval: false };
}

/**
 * Parses the `switchyard:` config namespace. Throws a ConfigError listing every problem found;
 * returns a model only when the whole config is valid.
 */
export function parseStackConfig(stackRaw: RawConfig, env: ParseEnvironment): StackModel {
    let source: FleetSource | undefined;
    // A problem inside a secret key (e.g. a service env value) names the key, never the value; one
    // in a key the fleet file set is named by the file.
    const problems = new Problems(
        (path) => {
            // A fleet file holds no secrets: it is plain text in the repository.
            if (stackRaw.fleet !== undefined && path.startsWith(`${stackRaw.fleet}: `)) return false;
            const [, namespace, key] = /^([^:]*):([^.[]*)/.exec(path) ?? [];
            return namespace === PROJECT ? env.isSecret(key ?? "") : (env.isOtherSecret?.(`${namespace}:${key}`) ?? true);
        },
        (path) => fleetLabel(source)(path),
    );
    for (const key of Object.keys(stackRaw)) {
        if (!(CONFIG_KEYS as readonly string[]).includes(key) && stackRaw[key] !== undefined) {
            problems.add(`${PROJECT}:${key}`, stackRaw[key], `no such config key; ${keyHint(key)}`);
        }
    }
    const fromFile = withFleetFile(stackRaw, env, problems);
    source = fromFile.source;
    // Pulumi.yaml's empty lists stand for "not set": the stack file or the fleet file must give them.
    const listOrUnset = (key: "clusters" | "services") =>
        source?.keys.has(key) || fromFile.raw[key] !== env.projectDefaults?.[key] ? fromFile.raw[key] : undefined;
    const raw: RawConfig = { ...fromFile.raw, clusters: listOrUnset("clusters"), services: listOrUnset("services") };
    for (const [key, value] of Object.entries(env.otherKeys ?? {})) {
        const colon = key.indexOf(":");
        const namespace = colon === -1 ? key : key.slice(0, colon);
        if (closest(namespace, [PROJECT]) === PROJECT) {
            problems.add(key, value, `no such config namespace; did you mean "${PROJECT}:${key.slice(colon + 1)}"?`);
        }
    }
    const requireImageDigests = readBoolean("requireImageDigests", raw.requireImageDigests, problems);
    const explicitShares = new Set<number>();
    const kubeconfig = raw.kubeconfig ?? "";
    if (kubeconfig !== "" && !env.isSecret("kubeconfig")) {
        problems.add(
            `${PROJECT}:kubeconfig`,
            "<a plaintext kubeconfig>",
            `a Pulumi secret: run 'pulumi config set --secret kubeconfig < merged-kubeconfig.yaml' (plaintext credentials must not sit in the stack file)`,
        );
    }
    const model: StackModel = {
        greenWeight: readGreenWeight(raw.greenWeight, problems),
        idleReplicas: readIdleReplicas(raw.idleReplicas, problems),
        clusters: readList("clusters", raw.clusters, problems, (item, path, index) => {
            if (isPlainObject(item) && item.trafficShare !== undefined && item.trafficShare !== null) explicitShares.add(index);
            return readCluster(item, path, problems);
        }),
        services: readList("services", raw.services, problems, (item, path) =>
            readService(item, path, problems, requireImageDigests, env),
        ),
        hasKubeconfig: kubeconfig !== "",
        servicesAreSecret: env.isSecret("services"),
        requireImageDigests,
        images: readImages(raw.images, problems),
        cohorts: readCohorts(raw.cohorts, problems),
        capacity: readCapacityTarget(raw.capacity, problems),
        rollout: readRollout(raw.rollout, problems, env.isSecret("rollout")),
        scope: readScope(stackRaw.scope, problems),
    };
    const groups = source ? readGroups(raw.groups, source.file, problems) : [];
    // A wave updates all its stacks at once by default: with groups, each of its clusters has one per group.
    const stacksPerCluster = Math.max(1, groups.length);
    const waves = readWaves(raw.rollout, problems, stacksPerCluster);
    if (source) {
        const fleet: FleetSpec = {
            file: source.file,
            name: source.name,
            groups,
            keys: [...source.keys],
            // Without waves, every cluster moves at once: one wave of the whole fleet (a repeated
            // cluster name once: its own rule says so, not the waves' rule again).
            waves: waves ?? [wholeFleetWave([...new Set(model.clusters.map((c) => c.name))], stacksPerCluster)],
        };
        model.fleet = fleet;
    } else if (waves !== undefined) {
        problems.add(`${PROJECT}:rollout.waves`, waves.map((w) => w.name), `no waves in stack config: waves move a fleet's cluster stacks, so they belong in the fleet file (${PROJECT}:fleet)`);
    }
    const mirror = readMirror(raw.mirror, problems);
    if (mirror) model.mirror = mirror;
    const dns = readDns(raw.dns, problems);
    if (dns) model.dns = dns;
    let regionGiven = false;
    const region = readObjectKey("aws", raw.aws, AWS_KEYS, problems, (r) => {
        regionGiven = r.has("region");
        const region = r.optionalString("region", "an AWS region such as us-east-1");
        if (region === undefined || AWS_REGIONS.includes(region)) return region;
        const guess = closest(region, AWS_REGIONS);
        r.problem("region", guess ? `a region the AWS provider knows; did you mean "${guess}"?` : `a region the AWS provider knows: ${AWS_REGIONS.join(", ")}`);
        return undefined;
    });
    if (region !== undefined) model.aws = { region };
    checkUnique("clusters", model.clusters.map((c) => c.name), problems);
    const repeatedServices = checkUnique("services", model.services.map((s) => s.name), problems);
    checkFleet(model, problems, { regionGiven, repeatedServices, explicitShares });
    checkCohorts(model, problems);
    checkCapacity(model, model.rollout.candidate, problems);
    checkRollout(model, problems);
    checkFleetScope(model, problems, env.stackName);
    problems.throwIfAny();
    return model;
}

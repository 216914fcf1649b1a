// Cross-field rules of a stack: they need the whole model, so they run after every key was read —
// colors that receive traffic, DNS addresses, hostnames two routes would share, Gateway API limits,
// shared build contexts, and the AWS region the fleet needs. Pure.

import { clusterHostname, globalHostname, isPubliclyRoutable, routeHostnames } from "../hostnames.ts";
import { colorWeights, greenWeightFor } from "../traffic.ts";
import type { Problems } from "../validation.ts";
import { checkRepositoryImages } from "./images.ts";
import { PROJECT } from "./keys.ts";
import { COLORS, type ClusterSpec, type StackModel } from "./types.ts";

/** Reports each entry whose name an earlier entry has; returns their indexes, so later checks do not report the same mistake again. */
export function checkUnique(key: string, names: string[], problems: Problems): Set<number> {
    const firstIndex = new Map<string, number>();
    const repeated = new Set<number>();
    names.forEach((name, i) => {
        if (name === "") return;
        const first = firstIndex.get(name);
        if (first === undefined) {
            firstIndex.set(name, i);
        } else {
            repeated.add(i);
            problems.add(`${PROJECT}:${key}[${i}].name`, name, `a name not used by another entry (${key}[${first}] is also "${name}")`);
        }
    });
    return repeated;
}

/** Cross-field rules: they need the whole model, so they run after every field was read. */
export interface FleetContext {
    /** Whether aws.region was given, valid or not. */
    regionGiven: boolean;
    /** Indexes of services whose name an earlier service has (reported already). */
    repeatedServices: Set<number>;
    /** Indexes of clusters that set trafficShare themselves. */
    explicitShares: Set<number>;
}

export function checkFleet(model: StackModel, problems: Problems, context: FleetContext): void {
    const { regionGiven } = context;
    const largest = Math.max(...model.services.map((s) => s.replicas));
    if (typeof model.idleReplicas === "number" && model.services.length > 0 && model.idleReplicas > largest) {
        problems.add(
            `${PROJECT}:idleReplicas`,
            model.idleReplicas,
            `"full", or an integer up to the most replicas a service runs (${largest}): an idle color never runs more pods than a ` +
                `serving one, so ${model.idleReplicas} would keep every idle color at full size and save nothing`,
        );
    }
    model.clusters.forEach((cluster, ci) => {
        const weights = colorWeights(greenWeightFor(model.greenWeight, cluster));
        const source = cluster.greenWeight === undefined ? `${PROJECT}:greenWeight is ${model.greenWeight}` : `${PROJECT}:clusters[${ci}].greenWeight is ${cluster.greenWeight}`;
        model.services.forEach((service, si) => {
            for (const color of COLORS) {
                if (weights[color] > 0 && service[color] === undefined && service.name !== "") {
                    problems.add(
                        `${PROJECT}:services[${si}].${color}.image`,
                        undefined,
                        `an image (or build) for ${color}, since ${color} receives ${weights[color]}% on cluster ` +
                            `${cluster.name} (${source}); or move the weight off ${color}`,
                    );
                }
            }
        });
        if (model.dns && cluster.gatewayAddress === undefined) {
            problems.add(`${PROJECT}:clusters[${ci}].gatewayAddress`, undefined, `the Gateway's hostname or IP, required while ${PROJECT}:dns.enabled is true`);
        } else if (model.dns && !isPubliclyRoutable(cluster.gatewayAddress!)) {
            problems.add(
                `${PROJECT}:clusters[${ci}].gatewayAddress`,
                cluster.gatewayAddress,
                "a public address while DNS is on: Route53 health checks cannot reach private, loopback or reserved IPs",
            );
        }
        checkHostnames(model, cluster, context.repeatedServices, problems);
        if (!model.dns && context.explicitShares.has(ci)) {
            problems.add(
                `${PROJECT}:clusters[${ci}].trafficShare`,
                cluster.trafficShare,
                `no trafficShare while ${PROJECT}:dns.enabled is false: without DNS nothing splits traffic across clusters, ` +
                    `so it would drain or weight nothing (enable dns, or remove the key)`,
            );
        }
        checkRouteLimits(model, cluster, ci, problems);
    });
    if (model.dns && model.clusters.length > 0 && model.clusters.every((c) => c.trafficShare === 0)) {
        problems.add(
            `${PROJECT}:clusters[*].trafficShare`,
            model.clusters.map((c) => c.trafficShare),
            "at least one cluster with a share above 0 (all zero would leave DNS nothing to answer with)",
        );
    }
    model.services.forEach((service, si) => {
        if (service.blue?.build && service.green?.build && service.blue.build.context === service.green.build.context) {
            problems.add(
                `${PROJECT}:services[${si}].green.build.context`,
                service.green.build.context,
                `a context not shared with blue: editing it would rebuild and roll the live color too. ` +
                    `Pin the live color to the digest it runs (pulumi stack output traffic) as its image, or give each color its own directory`,
            );
        }
    });
    const building = model.services.some((s) => COLORS.some((c) => s[c]?.build !== undefined));
    const inRepository = checkRepositoryImages(model, problems);
    // A region that was given but is malformed has its own problem line already.
    if ((model.dns || building || inRepository) && !model.aws && !regionGiven) {
        const needs = model.dns ? "Route53" : building ? "ECR image builds" : "the ECR repository a color runs its image from";
        problems.add(`${PROJECT}:aws.region`, undefined, `an AWS region such as us-east-1 (needed for ${needs})`);
    }
}

/** Gateway API's HTTPRoute takes at most 16 hostnames, each at most 253 characters. */
const MAX_ROUTE_HOSTNAMES = 16;
const MAX_HOSTNAME_LENGTH = 253;

function checkRouteLimits(model: StackModel, cluster: ClusterSpec, ci: number, problems: Problems): void {
    const routes = model.services.filter((s) => s.name !== "").map((service) => ({ service, hostnames: routeHostnames(service, cluster, model.dns) }));
    const crowded = routes.find((r) => r.hostnames.length > MAX_ROUTE_HOSTNAMES);
    if (crowded) {
        problems.add(
            `${PROJECT}:clusters[${ci}].hostnames`,
            cluster.hostnames,
            `at most ${MAX_ROUTE_HOSTNAMES - (model.dns ? 2 : 0)} domains: an HTTPRoute takes at most ${MAX_ROUTE_HOSTNAMES} hostnames, ` +
                `and ${crowded.service.name}'s route on ${cluster.name} would get ${crowded.hostnames.length}${model.dns ? " (with its two DNS names)" : ""}`,
        );
    }
    const tooLong = routes.flatMap((r) => r.hostnames).find((h) => h.length > MAX_HOSTNAME_LENGTH);
    if (tooLong !== undefined) {
        problems.add(
            `${PROJECT}:clusters[${ci}].hostnames`,
            cluster.hostnames,
            `domains short enough that every route hostname has at most ${MAX_HOSTNAME_LENGTH} characters; ${tooLong} has ${tooLong.length}`,
        );
    }
}

/** Two routes on one Gateway must not claim the same hostname, nor two services one DNS name. */
function checkHostnames(model: StackModel, cluster: ClusterSpec, repeated: Set<number>, problems: Problems): void {
    const claimedBy = new Map<string, number>();
    model.services.forEach((service, si) => {
        if (service.name === "" || repeated.has(si)) return;
        const fromDns = new Set(model.dns ? [globalHostname(service, model.dns), clusterHostname(service, cluster, model.dns)] : []);
        for (const hostname of routeHostnames(service, cluster, model.dns)) {
            const other = claimedBy.get(hostname);
            if (other === undefined) {
                claimedBy.set(hostname, si);
            } else if (other !== si) {
                const key = fromDns.has(hostname) ? `services[${si}].dns.record` : `services[${si}].name`;
                problems.add(
                    `${PROJECT}:${key}`,
                    fromDns.has(hostname) ? service.dnsRecord : service.name,
                    `a name whose hostnames no other service uses: ${hostname} on cluster ${cluster.name} is also services[${other}]'s`,
                );
            }
        }
    });
}

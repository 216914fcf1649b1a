// Stack outputs: what an operator reads in `pulumi stack output` — the split per cluster and
// service, the image each color runs, the route, one summary line per cluster, and DNS shares.

import type { BlueGreenService } from "../components/blueGreenService.ts";
import { COLORS, type ClusterSpec, type StackModel } from "../model/config/types.ts";
import type { ColorImages } from "../components/aws/images.ts";
import type { ColorWeights } from "../model/traffic.ts";

export interface ClusterDeployment {
    spec: ClusterSpec;
    weights: ColorWeights;
    services: { name: string; deployment: BlueGreenService; images: ColorImages; hostnames: string[] }[];
}

export interface DnsSplit {
    /** Route53 weight per cluster, in the order of model.clusters. */
    weights: number[];
    /** Fraction of answers per cluster, same order. */
    fractions: number[];
    hostnames: Record<string, string>;
}

/** A fraction as a percentage with one decimal, e.g. 0.6667 → 66.7. */
function percent(fraction: number): number {
    return Math.round(fraction * 1000) / 10;
}

export function stackOutputs(model: StackModel, fleet: ClusterDeployment[], dns: DnsSplit | undefined) {
    const traffic: Record<string, Record<string, unknown>> = {};
    const summary: Record<string, string> = {};
    fleet.forEach(({ spec, weights, services }, i) => {
        traffic[spec.name] = Object.fromEntries(
            services.map(({ name, deployment, images, hostnames }) => [
                name,
                {
                    ...Object.fromEntries(COLORS.map((c) => [c, { weight: weights[c], image: images[c] ?? "(not deployed)" }])),
                    route: deployment.routeName,
                    hostnames,
                },
            ]),
        );
        const source = spec.greenWeight === undefined ? "stack greenWeight" : "cluster override";
        const count = `${services.length} service${services.length === 1 ? "" : "s"}`;
        summary[spec.name] =
            `blue ${weights.blue}% / green ${weights.green}% (${source}) on ${count} via ${spec.gateway.namespace}/${spec.gateway.name}` +
            (dns ? `; DNS ${percent(dns.fractions[i]!)}% of answers${spec.trafficShare === 0 ? " (drained)" : ""}` : "");
    });
    if (!dns) return { summary, traffic };
    const shares = Object.fromEntries(
        model.clusters.map((c, i) => [c.name, { share: c.trafficShare, route53Weight: dns.weights[i]!, percent: percent(dns.fractions[i]!) }]),
    );
    const dnsOutput = Object.fromEntries(Object.entries(dns.hostnames).map(([service, hostname]) => [service, { hostname, clusters: shares }]));
    return { summary, traffic, dns: dnsOutput as Record<string, { hostname: string; clusters: typeof shares }> };
}

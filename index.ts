// switchyard: blue and green environments of every service on every cluster, weighted routing in
// front of them, and one stack config value — greenWeight — that moves traffic.

import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { WeightedDns } from "./components/aws/weightedDns.ts";
import { BlueGreenService } from "./components/blueGreenService.ts";
import { Cluster } from "./components/cluster.ts";
import { COLORS } from "./components/config.ts";
import { routeHostnames } from "./components/hostnames.ts";
import { resolveImages } from "./components/images.ts";
import { PROJECT_DIR, loadStackModel } from "./components/stackConfig.ts";
import { answerFractions, colorWeights, greenWeightFor, route53Weights } from "./components/traffic.ts";

export default function switchyard() {
    // 1. Config: validated in full before anything is registered.
    const model = loadStackModel();
    const kubeconfig = model.hasKubeconfig ? new pulumi.Config().requireSecret("kubeconfig") : undefined;

    // 2. Clouds: AWS for DNS and image builds, only when the stack uses them.
    const awsProvider = model.aws && new aws.Provider("aws", { region: model.aws.region as aws.Region });
    const images = resolveImages(model, PROJECT_DIR, awsProvider);

    // 3. Clusters and, on each, every service in both colors behind a weighted route.
    const traffic: Record<string, Record<string, unknown>> = {};
    const summary: Record<string, string> = {};
    for (const spec of model.clusters) {
        const cluster = new Cluster(spec.name, {
            ...(spec.context === undefined ? {} : { context: spec.context }),
            ...(kubeconfig === undefined ? {} : { kubeconfig }),
            namespace: spec.namespace,
        });
        const green = greenWeightFor(model.greenWeight, spec);
        const weights = colorWeights(green);
        traffic[spec.name] = {};
        for (const service of model.services) {
            const hostnames = routeHostnames(service, spec, model.dns);
            const serviceImages = images.get(service.name)!;
            const deployment = new BlueGreenService(`${spec.name}-${service.name}`, {
                service,
                cluster: spec,
                namespace: cluster.namespace,
                weights,
                images: serviceImages,
                idleReplicas: model.idleReplicas,
                hostnames,
                provider: cluster.provider,
            });
            traffic[spec.name]![service.name] = {
                ...Object.fromEntries(
                    COLORS.map((color) => [color, { weight: weights[color], image: serviceImages[color] ?? "(not deployed)" }]),
                ),
                route: pulumi.interpolate`${cluster.namespace}/${deployment.route.route.metadata.name}`,
                hostnames,
            };
        }
        const source = spec.greenWeight === undefined ? "stack greenWeight" : "cluster override";
        summary[spec.name] =
            `blue ${weights.blue}% / green ${weights.green}% (${source}) on ${model.services.length} services` +
            ` via ${spec.gateway.namespace}/${spec.gateway.name}`;
    }

    // 4. DNS across clusters and clouds: one weighted, health-checked record per cluster per service.
    const dns: Record<string, unknown> = {};
    if (model.dns) {
        const zoneId =
            model.dns.zoneId ??
            aws.route53.getZoneOutput({ name: model.dns.zone, privateZone: false }, { provider: awsProvider }).zoneId;
        const weights = route53Weights(model.clusters.map((c) => c.trafficShare));
        const fractions = answerFractions(weights);
        for (const service of model.services) {
            const record = new WeightedDns(service.name, {
                service,
                dns: model.dns,
                zoneId,
                clusters: model.clusters.map((cluster, i) => ({ cluster, weight: weights[i]! })),
                provider: awsProvider!,
            });
            dns[service.name] = {
                hostname: record.hostname,
                clusters: Object.fromEntries(
                    model.clusters.map((c, i) => [c.name, { share: c.trafficShare, route53Weight: weights[i], percent: Math.round(fractions[i]! * 1000) / 10 }]),
                ),
            };
        }
        model.clusters.forEach((c, i) => {
            summary[c.name] += `; DNS ${Math.round(fractions[i]! * 1000) / 10}% of answers${c.trafficShare === 0 ? " (drained)" : ""}`;
        });
    }

    return { summary, traffic, ...(model.dns ? { dns } : {}) };
}

// switchyard: blue and green environments of every service on every cluster, weighted routing in
// front of them, and one stack config value — greenWeight — that moves traffic.

import "./components/stackTraces.ts";
import * as aws from "@pulumi/aws";
import { resolveImagePlan } from "./components/aws/images.ts";
import { WeightedDns } from "./components/aws/weightedDns.ts";
import { BlueGreenService } from "./components/blueGreenService.ts";
import { Cluster } from "./components/cluster.ts";
import { capacityAnnotations, replicasNeededForShare } from "./components/capacity.ts";
import { cohortColorsOn, cohortRules, mirrorFilter } from "./components/cohorts.ts";
import { routeHostnames } from "./components/hostnames.ts";
import { stackOutputs, type ClusterDeployment } from "./components/outputs.ts";
import { PROJECT_DIR, loadStack } from "./components/stackConfig.ts";
import { answerFractions, colorWeights, greenWeightFor, route53Weights } from "./components/traffic.ts";

export default async function switchyard() {
    // 1. Config, validated in full before anything is registered.
    const { model, kubeconfig } = loadStack();

    // 2. Clouds: AWS for DNS and image builds, only when the stack uses them.
    const awsProvider = model.aws && new aws.Provider("aws", { region: model.aws.region as aws.Region });
    const { images, imageTags, ecrUnavailable } = await resolveImagePlan(model, PROJECT_DIR, awsProvider);

    // 3. Clusters, and on each every service in both colors behind a weighted route.
    const fleet: ClusterDeployment[] = model.clusters.map((spec) => {
        const cluster = new Cluster(spec.name, {
            ...(spec.context === undefined ? {} : { context: spec.context }),
            ...(kubeconfig === undefined ? {} : { kubeconfig }),
            namespace: spec.namespace,
            createNamespace: spec.createNamespace,
        });
        const weights = colorWeights(greenWeightFor(model.greenWeight, spec));
        const services = model.services.map((service) => {
            const hostnames = routeHostnames(service, spec, model.dns);
            const serviceImages = images.get(service.name)!;
            const deployment = new BlueGreenService(`${spec.name}.${service.name}`, {
                service,
                cluster: spec,
                namespace: cluster.namespace,
                weights,
                images: serviceImages,
                imageTags: imageTags.get(service.name) ?? {},
                ...(ecrUnavailable === undefined ? {} : { ecrUnavailable }),
                idleReplicas: model.idleReplicas,
                candidate: model.rollout.candidate,
                maxStep: model.rollout.maxStep,
                replicasNeeded: (_color, share) => replicasNeededForShare(service, share, model.capacity),
                deploymentAnnotations: capacityAnnotations(service, model.capacity),
                envIsSecret: model.servicesAreSecret,
                hostnames,
                cohortRules: cohortRules(model.cohorts, service, spec),
                cohortColors: cohortColorsOn(model.cohorts, service.name, spec.name),
                mirror: mirrorFilter(model.mirror, service, weights),
                provider: cluster.provider,
            });
            return { name: service.name, deployment, images: serviceImages, hostnames };
        });
        return { spec, weights, services };
    });

    // 4. DNS across clusters and clouds: per service, one health-checked weighted record per cluster.
    if (!model.dns) return stackOutputs(model, fleet, undefined);
    const zoneId = model.dns.zoneId ?? aws.route53.getZoneOutput({ name: model.dns.zone, privateZone: false }, { provider: awsProvider }).zoneId;
    const weights = route53Weights(model.clusters.map((c) => c.trafficShare));
    const hostnames: Record<string, string> = {};
    model.services.forEach((service, si) => {
        const record = new WeightedDns(service.name, {
            service,
            dns: model.dns!,
            zoneId,
            clusters: fleet.map(({ spec, services }, ci) => {
                const { deployment } = services[si]!;
                // A drained record waits for nothing on its cluster, so draining a sick cluster is never held.
                const waitFor = weights[ci]! > 0 ? [deployment.route, ...deployment.servingDeployments] : [];
                return { cluster: spec, weight: weights[ci]!, waitFor };
            }),
            provider: awsProvider!,
        });
        hostnames[service.name] = record.hostname;
    });
    return stackOutputs(model, fleet, { weights, fractions: answerFractions(weights), hostnames });
}

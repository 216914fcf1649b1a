// switchyard: blue and green environments of every service on every cluster, weighted routing in
// front of them, and one stack config value — greenWeight — that moves traffic.

import "./program/stackTraces.ts";
import * as aws from "@pulumi/aws";
import { imageTagsOf, resolveImagePlan } from "./components/aws/images.ts";
import { WeightedDns } from "./components/aws/weightedDns.ts";
import { BlueGreenService } from "./components/blueGreenService.ts";
import { GateHooks } from "./components/gateHooks.ts";
import { Cluster } from "./components/cluster.ts";
import { capacityAnnotations, replicasNeededForShare } from "./model/capacity.ts";
import { cohortColorsOn, cohortRules, mirrorFilter } from "./model/cohorts.ts";
import { routeHostnames } from "./model/hostnames.ts";
import { clustersInScope, servicesInScope } from "./model/config/scope.ts";
import { stackOutputs, type ClusterDeployment } from "./program/outputs.ts";
import { PROJECT_DIR, loadStack } from "./program/stackConfig.ts";
import { imagesForClusterStack, trafficImagesOutput } from "./program/trafficImages.ts";
import { answerFractions, colorWeights, greenWeightFor, route53Weights } from "./model/traffic.ts";

/**
 * The program. `projectDir` is where Pulumi.yaml, the fleet file and the build contexts are: this
 * repository, which is what `pulumi up` evaluates (Pulumi calls the program without arguments); a
 * rehearsal of another copy of the project (a drill's, a spec's) names that copy.
 */
export default async function switchyard(projectDir: string = PROJECT_DIR) {
    // 1. Config, validated in full before anything is registered, and what of the fleet this stack
    //    holds (switchyard:scope): all of it, what spans clusters (traffic), or one cluster.
    const { model, kubeconfig } = loadStack(projectDir);
    const { scope } = model;
    const spansClusters = scope.kind !== "cluster";
    const inScope = servicesInScope(model.services, scope, model.fleet?.groups ?? []);

    // 2. Clouds: AWS for DNS and image builds, only when the stack uses them. A cluster stack runs
    //    the images its traffic stack built.
    const awsProvider = spansClusters && model.aws ? new aws.Provider("aws", { region: model.aws.region as aws.Region }) : undefined;
    const { images, imageTags, ecrUnavailable } = spansClusters
        ? await resolveImagePlan({ ...model, services: inScope }, projectDir, awsProvider)
        : { images: await imagesForClusterStack(inScope, model.fleet!, scope), imageTags: imageTagsOf(model, inScope, projectDir), ecrUnavailable: undefined };

    // 3. Clusters, and on each every service in both colors behind a weighted route.
    const clusters = clustersInScope(model.clusters, scope);
    // Registered on every run, whatever the stack holds: the delete hooks the state names must exist.
    const gateHooks = new GateHooks();
    const fleet: ClusterDeployment[] = clusters.map((spec) => {
        const cluster = new Cluster(spec.name, {
            ...(spec.context === undefined ? {} : { context: spec.context }),
            ...(kubeconfig === undefined ? {} : { kubeconfig }),
            namespace: spec.namespace,
            createNamespace: spec.createNamespace,
        });
        const weights = colorWeights(greenWeightFor(model.greenWeight, spec));
        const services = inScope.map((service) => {
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
                gateHooks,
                provider: cluster.provider,
            });
            return { name: service.name, deployment, images: serviceImages, hostnames };
        });
        return { spec, weights, services };
    });

    // 4. DNS across clusters and clouds: per service, one health-checked weighted record per cluster.
    //    The traffic stack holds it for the whole fleet and outputs the images its cluster stacks read.
    const extra = scope.kind === "traffic" ? { images: trafficImagesOutput(images) } : {};
    if (!model.dns || !spansClusters) return { ...stackOutputs(model, fleet, undefined), ...extra };
    const zoneId = model.dns.zoneId ?? aws.route53.getZoneOutput({ name: model.dns.zone, privateZone: false }, { provider: awsProvider }).zoneId;
    const weights = route53Weights(model.clusters.map((c) => c.trafficShare));
    const hostnames: Record<string, string> = {};
    inScope.forEach((service, si) => {
        const record = new WeightedDns(service.name, {
            service,
            dns: model.dns!,
            zoneId,
            clusters: model.clusters.map((spec, ci) => {
                // A drained record waits for nothing on its cluster, so draining a sick cluster is never held.
                // In the traffic stack the cluster's objects are another stack's: CI runs that stack first.
                const deployment = fleet[ci]?.services[si]?.deployment;
                const waitFor = weights[ci]! > 0 && deployment ? [deployment.route, ...deployment.servingDeployments] : [];
                return { cluster: spec, weight: weights[ci]!, waitFor };
            }),
            provider: awsProvider!,
        });
        hostnames[service.name] = record.hostname;
    });
    return { ...stackOutputs(model, fleet, { weights, fractions: answerFractions(weights), hostnames }), ...extra };
}

import type { IHTTPRouteFilter } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRouteFilter";
import type { IHTTPRouteRule } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRouteRule";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { CANDIDATE_ANNOTATION } from "../model/capacityAnnotation.ts";
import { ColorEnvironment } from "./colorEnvironment.ts";
import { COLORS, type Color, type ClusterSpec, type ServiceSpec } from "../model/config/types.ts";
import { deploymentVersion, judgeColorUpdate, judgeKeptImage, judgeShift, liveImageTag, routeCohortColors, routeWeights, type ColorStatus } from "../model/gate.ts";
import { colorObjectName } from "../model/labels.ts";
import { stableColorOf } from "../model/rollout.ts";
import { replicasFor, type ColorWeights } from "../model/traffic.ts";
import type { GateHooks } from "./gateHooks.ts";
import { HTTPROUTE_API_VERSION, WeightedRoute } from "./weightedRoute.ts";

/** The type tokens the engine hands a hook (the provider SDK's), by which the gate's hooks find a resource's judge. */
const DEPLOYMENT_TYPE = "kubernetes:apps/v1:Deployment";
const ROUTE_TYPE = `kubernetes:${HTTPROUTE_API_VERSION}:HTTPRoute`;

export interface BlueGreenServiceArgs {
    service: ServiceSpec;
    cluster: ClusterSpec;
    namespace: pulumi.Input<string>;
    /** Percent per color on this cluster; the only weight-dependent input. */
    weights: ColorWeights;
    /** Image per deployed color; a color without one is not deployed and must have weight 0. */
    images: Partial<Record<Color, pulumi.Input<string>>>;
    /** See StackModel.idleReplicas. */
    idleReplicas: number | "full";
    /** The color being released (rollout.candidate); the other one is the stable color a rollback returns to. */
    candidate: Color;
    /** Most points the candidate's weight may rise in one update (rollout.maxStep). */
    maxStep: number;
    /** Available replicas a color needs to carry a share (percent) of this service's traffic on this cluster. */
    replicasNeeded: (color: Color, share: number) => number;
    /** Annotations on each color's Deployment (never its pods), e.g. capacity for the policy pack. Default: none. */
    deploymentAnnotations?: Record<string, string>;
    /** The tag of each color's image in the service's ECR repository, recorded on its Deployment. Default: none. */
    imageTags?: Partial<Record<Color, string>>;
    /** What ECR answered when it could not list tags: colors that build keep their live image (gate.ts rule 6). Default: ECR answered. */
    ecrUnavailable?: string;
    /** Pass env values as secrets. Default: false. */
    envIsSecret?: boolean;
    hostnames: string[];
    /** Route rules ahead of the weighted one: the cohorts of this service on this cluster. Default: none. */
    cohortRules?: IHTTPRouteRule[];
    /** Colors those rules send requests to; they take traffic whatever their weight. */
    cohortColors: Color[];
    /** RequestMirror filter for the weighted rule. Default: none. */
    mirror?: IHTTPRouteFilter;
    /** The program's gate hooks, one of each kind for every service: this service's routes and Deployments are judged through them. */
    gateHooks: GateHooks;
    provider: k8s.Provider;
}

/**
 * Both colors of one service on one cluster and the route in front of them. A rollback must never
 * wait, so the route waits only for the candidate while it takes traffic (its rollout, or its
 * scale-up off idleReplicas, finishes before traffic moves onto it), never for the stable color: the
 * Kubernetes provider re-awaits a Deployment that a refresh found degraded, and a route waiting on
 * the stable color would hold the rollback to it until that await timed out. Which way traffic moves
 * is only known when the engine is about to change the route, so the gate runs there, in a resource
 * hook that sees the live weights (gate.ts). Colors that take no traffic wait for the route, so a
 * color scaled down to idleReplicas is drained first.
 */
export class BlueGreenService extends pulumi.ComponentResource {
    readonly colors: Partial<Record<Color, ColorEnvironment>> = {};
    readonly route: WeightedRoute;
    /**
     * `namespace/name` of the HTTPRoute, once its registration is answered: the stack's `traffic`
     * output holds it, so that output (with the weights it reports) waits for every route. The engine
     * persists a stack's outputs when they arrive, whatever fails after (pkg/backend/snapshot.go
     * RegisterResourceOutputs), so outputs that did not wait would say a refused route's new weight
     * is live, and the orchestrator's live weight (cli/switchyard/fleetDeployers.ts) would believe it.
     */
    readonly routeName: pulumi.Output<string>;
    /** The Deployments of the colors that take traffic: what a DNS record pointing at this cluster waits for. */
    readonly servingDeployments: k8s.apps.v1.Deployment[];

    constructor(name: string, args: BlueGreenServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("switchyard:kubernetes:BlueGreenService", name, {}, opts);
        const { service, weights, candidate } = args;
        const deployed = COLORS.filter((color) => args.images[color] !== undefined);
        const inCohort = (color: Color) => args.cohortColors.includes(color);
        // A cohort's color serves real requests at any weight, so it keeps its full size.
        const serving = (color: Color) => weights[color] > 0 || inCohort(color);
        const stable = stableColorOf(candidate);
        const { gateHooks } = args;
        const deploymentName = (color: Color) => `Deployment ${args.cluster.namespace}/${colorObjectName(service.name, color)} on cluster ${args.cluster.name}`;
        // Rule 5 of gate.ts: the stable color keeps its version while it is the way back.
        const stableGuard = (color: Color) =>
            gateHooks.stableVersion.judge(DEPLOYMENT_TYPE, `${name}.${color}`, (hook) => {
                const refusals = judgeColorUpdate({
                    deployment: deploymentName(color),
                    color,
                    candidate,
                    versionBefore: deploymentVersion(hook.oldInputs),
                    versionAfter: deploymentVersion(hook.newInputs),
                });
                if (refusals.length === 0) return;
                this.colors[color]?.refused();
                throw new Error(refusals.join("\n"));
            });
        // Rule 6 of gate.ts: without ECR's answer a building color keeps the image it runs.
        const keptImageGuard = (color: Color, tag: string, ecrError: string) =>
            gateHooks.keptImage.judge(DEPLOYMENT_TYPE, `${name}.${color}`, (hook) => {
                const refusals = judgeKeptImage({ deployment: deploymentName(color), color, tag, tagBefore: liveImageTag(hook.oldInputs), ecrError });
                if (refusals.length === 0) return;
                this.colors[color]?.refused();
                throw new Error(refusals.join("\n"));
            });
        const hooksOf = (color: Color): pulumi.ResourceHookBinding | undefined => {
            const tag = args.imageTags?.[color];
            const builds = service[color]?.build !== undefined;
            const image = builds && tag !== undefined && args.ecrUnavailable !== undefined ? keptImageGuard(color, tag, args.ecrUnavailable) : undefined;
            const beforeUpdate = [...(color === stable ? [stableGuard(color)] : []), ...(image ? [image] : [])];
            const beforeCreate = image ? [image] : [];
            // Both colors, as the state keeps the binding and the stable color changes release by release.
            return { ...(beforeCreate.length > 0 ? { beforeCreate } : {}), beforeUpdate, beforeDelete: [gateHooks.replacements.hook] };
        };
        const makeColor = (color: Color, waitFor: pulumi.Resource[]) => {
            const colorSpec = service[color]!;
            const hooks = hooksOf(color);
            if (color === stable) {
                // Rule 5 on a replacement (a namespace move): the new Deployment's create has no old
                // inputs; the old one's delete has them, and the stable color keeps its version there too.
                gateHooks.replacements.judge(DEPLOYMENT_TYPE, `${name}.${color}`, { namespace: args.cluster.namespace, name: colorObjectName(service.name, color) }, (oldInputs) => {
                    const refusals = judgeColorUpdate({
                        deployment: deploymentName(color),
                        color,
                        candidate,
                        versionBefore: deploymentVersion(oldInputs),
                        versionAfter: colorSpec.version,
                    });
                    return refusals;
                });
            }
            const imageTag = args.imageTags?.[color];
            const keepLiveImage = colorSpec.build !== undefined && args.ecrUnavailable !== undefined;
            this.colors[color] = new ColorEnvironment(
                `${name}.${color}`,
                {
                    service,
                    color,
                    image: args.images[color]!,
                    version: colorSpec.version,
                    replicas: replicasFor(service.replicas, weights[color], args.idleReplicas, inCohort(color)),
                    namespace: args.namespace,
                    imagePullSecrets: args.cluster.imagePullSecrets,
                    envIsSecret: args.envIsSecret ?? false,
                    ...(args.deploymentAnnotations ? { annotations: args.deploymentAnnotations } : {}),
                    waitFor,
                    ...(hooks ? { hooks } : {}),
                    ...(imageTag === undefined ? {} : { imageTag, keepLiveImage }),
                    provider: args.provider,
                },
                { parent: this },
            );
            return this.colors[color]!;
        };
        const live = deployed.filter(serving).map((color) => makeColor(color, []));
        const describe = `HTTPRoute ${args.cluster.namespace}/${service.name} on cluster ${args.cluster.name}`;
        // The gate's verdict on a route going from `oldInputs` (undefined on a create) to `newInputs`.
        const judgeRoute = async (oldInputs: Record<string, unknown> | undefined, newInputs: Record<string, unknown>, replaced: boolean) => {
            const dryRun = pulumi.runtime.isDryRun();
            // A preview waits for the colors that serve after the change (none of them waits for the
            // route), so its warnings do not depend on which registration the engine answered first.
            // An update never does: that would hold a rollback until the stable color's await ended.
            const statusOf = async (color: Color): Promise<ColorStatus> =>
                dryRun && serving(color) ? this.colors[color]!.settled : this.colors[color]!.status;
            const status = Object.fromEntries(await Promise.all(deployed.map(async (color) => [color, await statusOf(color)] as const)));
            return judgeShift({
                route: describe,
                candidate,
                before: oldInputs === undefined ? undefined : routeWeights(oldInputs, service.name),
                after: routeWeights(newInputs, service.name),
                cohortsBefore: oldInputs === undefined ? [] : routeCohortColors(oldInputs, service.name),
                cohortsAfter: routeCohortColors(newInputs, service.name),
                replicasNeeded: args.replicasNeeded,
                status,
                dryRun,
                maxStep: args.maxStep,
                replaced,
            });
        };
        // Runs in previews too (programHook.ts), so `pulumi preview` shows a refusal before anything changes.
        const gate = gateHooks.route.judge(ROUTE_TYPE, name, async (hook) => {
            const verdict = await judgeRoute(hook.oldInputs, hook.newInputs ?? {}, false);
            for (const warning of verdict.warnings) pulumi.log.warn(warning, this);
            if (verdict.refusals.length > 0) throw new Error(verdict.refusals.join("\n"));
        });
        this.route = new WeightedRoute(
            name,
            {
                routeName: service.name,
                namespace: args.namespace,
                gateway: args.cluster.gateway,
                hostnames: args.hostnames,
                backends: deployed.map((color) => ({
                    serviceName: colorObjectName(service.name, color),
                    port: service.port,
                    weight: weights[color],
                })),
                cohortRules: args.cohortRules,
                mirror: args.mirror,
                waitFor: live.filter((color) => color === this.colors[candidate]).map((color) => color.deployment),
                annotations: { [CANDIDATE_ANNOTATION]: candidate },
                hooks: { beforeCreate: [gate], beforeUpdate: [gate], beforeDelete: [gateHooks.replacements.hook] },
                provider: args.provider,
            },
            { parent: this },
        );
        // A replaced route (a namespace move): its old object's delete is when the live split changes,
        // and the gate judges it there, from the old object's weights to this run's.
        const routeSpec = this.route.spec;
        gateHooks.replacements.judge(ROUTE_TYPE, name, { namespace: args.cluster.namespace, name: service.name }, async (oldInputs) => {
            const verdict = await judgeRoute(oldInputs, { spec: routeSpec }, true);
            for (const warning of verdict.warnings) pulumi.log.warn(warning, this);
            return verdict.refusals;
        });
        for (const color of deployed.filter((c) => !serving(c))) makeColor(color, [this.route]);
        this.servingDeployments = live.map((color) => color.deployment);
        // The text is this program's (the name is set, and the provider returns it); one apply on the
        // URN, which a failed registration rejects, ties it to the route at the cost of one Output:
        // an interpolation of the namespace's and the route's name outputs cost a dozen, held until
        // the route's registration is answered. The component's own output needs no such tie.
        const routeName = `${args.cluster.namespace}/${service.name}`;
        this.routeName = this.route.route.urn.apply(() => routeName);
        this.registerOutputs({ route: routeName });
    }
}

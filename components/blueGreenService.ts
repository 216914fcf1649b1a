import type { IHTTPRouteFilter } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRouteFilter";
import type { IHTTPRouteRule } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRouteRule";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ColorEnvironment } from "./colorEnvironment.ts";
import { COLORS, type Color, type ClusterSpec, type ServiceSpec } from "./config.ts";
import { colorObjectName } from "./labels.ts";
import { replicasFor, type ColorWeights } from "./traffic.ts";
import { WeightedRoute } from "./weightedRoute.ts";

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
    /** Pass env values as secrets. Default: false. */
    envIsSecret?: boolean;
    hostnames: string[];
    /** Route rules ahead of the weighted one: the cohorts of this service on this cluster. Default: none. */
    cohortRules?: IHTTPRouteRule[];
    /** Colors those rules send requests to; they take traffic whatever their weight. Default: none. */
    cohortColors?: Color[];
    /** RequestMirror filter for the weighted rule. Default: none. */
    mirror?: IHTTPRouteFilter;
    provider: k8s.Provider;
}

/**
 * Both colors of one service on one cluster and the route in front of them. Colors that take
 * traffic are registered before the route, which waits for them; colors at weight 0 wait for the
 * route, so a color scaled down to idleReplicas is drained first.
 */
export class BlueGreenService extends pulumi.ComponentResource {
    readonly colors: Partial<Record<Color, ColorEnvironment>> = {};
    readonly route: WeightedRoute;
    /** `namespace/name` of the HTTPRoute. */
    readonly routeName: pulumi.Output<string>;

    constructor(name: string, args: BlueGreenServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("switchyard:kubernetes:BlueGreenService", name, {}, opts);
        const { service, weights } = args;
        const deployed = COLORS.filter((color) => args.images[color] !== undefined);
        const inCohort = (color: Color) => args.cohortColors?.includes(color) ?? false;
        // A cohort's color serves real requests at any weight: full size, and the route waits for it.
        const serving = (color: Color) => weights[color] > 0 || inCohort(color);
        const makeColor = (color: Color, waitFor: pulumi.Resource[]) => {
            const colorSpec = service[color]!;
            this.colors[color] = new ColorEnvironment(
                `${name}.${color}`,
                {
                    service,
                    color,
                    image: args.images[color]!,
                    version: colorSpec.version,
                    replicas: inCohort(color) ? service.replicas : replicasFor(service.replicas, weights[color], args.idleReplicas),
                    namespace: args.namespace,
                    imagePullSecrets: args.cluster.imagePullSecrets,
                    envIsSecret: args.envIsSecret ?? false,
                    waitFor,
                    provider: args.provider,
                },
                { parent: this },
            );
            return this.colors[color]!;
        };
        const live = deployed.filter(serving).map((color) => makeColor(color, []));
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
                waitFor: live.map((color) => color.readyForTraffic()),
                provider: args.provider,
            },
            { parent: this },
        );
        for (const color of deployed.filter((c) => !serving(c))) makeColor(color, [this.route]);
        this.routeName = pulumi.interpolate`${args.namespace}/${this.route.route.metadata.name}`;
        this.registerOutputs({ route: this.routeName });
    }
}

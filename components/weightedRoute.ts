import type { IHTTPRoute } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute";
import type { IHTTPRouteFilter } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRouteFilter";
import type { IHTTPRouteRule } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRouteRule";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { GatewayRef } from "./config.ts";
import { MANAGED_BY } from "./labels.ts";

export type HTTPRouteSpec = IHTTPRoute["spec"];

export interface WeightedBackend {
    /** Kubernetes Service of the color. */
    serviceName: string;
    port: number;
    /** Percent of the route's traffic; 0 keeps the backend listed but sends it nothing. */
    weight: number;
}

export interface WeightedRouteArgs {
    /** Name of the HTTPRoute object: the service's name. */
    routeName: string;
    namespace: pulumi.Input<string>;
    gateway: GatewayRef;
    hostnames: string[];
    backends: WeightedBackend[];
    /** Rules ahead of the weighted one, e.g. cohorts sent to one color whatever the weights. Default: none. */
    cohortRules?: IHTTPRouteRule[];
    /** A RequestMirror filter on the weighted rule (shadow traffic). Default: none. */
    mirror?: IHTTPRouteFilter;
    /**
     * Resources that must be ready before this route may change: the colors it sends traffic to.
     * The Kubernetes provider awaits each Deployment's rollout, so a shift waits for readiness.
     */
    waitFor: pulumi.Input<pulumi.Resource>[];
    provider: k8s.Provider;
}

export const HTTPROUTE_API_VERSION = "gateway.networking.k8s.io/v1";

export function httpRouteSpec(args: Pick<WeightedRouteArgs, "gateway" | "hostnames" | "backends" | "cohortRules" | "mirror">): HTTPRouteSpec {
    return {
        parentRefs: [
            {
                group: "gateway.networking.k8s.io",
                kind: "Gateway",
                name: args.gateway.name,
                namespace: args.gateway.namespace,
                ...(args.gateway.sectionName === undefined ? {} : { sectionName: args.gateway.sectionName }),
            },
        ],
        hostnames: args.hostnames,
        rules: [
            ...(args.cohortRules ?? []),
            {
                matches: [{ path: { type: "PathPrefix", value: "/" } }],
                ...(args.mirror === undefined ? {} : { filters: [args.mirror] }),
                backendRefs: args.backends.map((b) => ({
                    group: "",
                    kind: "Service",
                    name: b.serviceName,
                    port: b.port,
                    weight: b.weight,
                })),
            },
        ],
    };
}

/**
 * A Gateway API HTTPRoute that splits one service's traffic across its colors by weight. It is the
 * only object a weight change touches.
 */
export class WeightedRoute extends pulumi.ComponentResource {
    readonly route: k8s.apiextensions.CustomResource;

    constructor(name: string, args: WeightedRouteArgs, opts?: pulumi.ComponentResourceOptions) {
        super("switchyard:kubernetes:WeightedRoute", name, {}, opts);
        this.route = new k8s.apiextensions.CustomResource(
            name,
            {
                apiVersion: HTTPROUTE_API_VERSION,
                kind: "HTTPRoute",
                metadata: { name: args.routeName, namespace: args.namespace, labels: { app: args.routeName, ...MANAGED_BY } },
                spec: httpRouteSpec(args),
            },
            { parent: this, provider: args.provider, dependsOn: args.waitFor },
        );
        this.registerOutputs({ route: this.route.metadata.name });
    }
}

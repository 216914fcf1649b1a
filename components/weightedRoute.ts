import type { IHTTPRoute } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute";
import type { IHTTPRouteFilter } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRouteFilter";
import type { IHTTPRouteRule } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRouteRule";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { GatewayRef } from "../model/config/types.ts";
import { MANAGED_BY } from "../model/labels.ts";

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
     * Resources that must be ready before this route may change: the candidate color's Deployment
     * while it takes traffic. The Kubernetes provider awaits its rollout, so a shift onto it waits.
     */
    waitFor: pulumi.Resource[];
    /** Annotations besides the ones the route always carries. Default: none. */
    annotations?: Record<string, string>;
    /** Resource hooks bound to the HTTPRoute, e.g. the readiness gate. Default: none. */
    hooks?: pulumi.ResourceHookBinding;
    provider: k8s.Provider;
}

export const HTTPROUTE_API_VERSION = "gateway.networking.k8s.io/v1";

/**
 * `pulumi.com/waitFor` for an HTTPRoute: the Kubernetes provider treats a custom resource as ready
 * at once unless it carries this annotation (provider/pkg/metadata/overrides.go ReadyCondition);
 * with it, create and update wait until the route's parent Gateway reports Accepted and ResolvedRefs
 * for the route's current generation. The generation matters: the provider's JSONPath condition only
 * compares a top-level status.observedGeneration (provider/pkg/await/condition/jsonpath.go), which an
 * HTTPRoute does not have, so a condition left over from the previous spec would otherwise pass.
 * A Gateway that writes no observedGeneration on its conditions is taken at its word: there a
 * condition from the previous spec can pass an update (a create has none to pass).
 * The provider evaluates RFC 9535 JSONPath and reads the first match (provider/pkg/jsonpath/jsonpath.go).
 */
export function acceptanceAwait(gateway: GatewayRef): string {
    const parent = [
        `@.parentRef.name=="${gateway.name}"`,
        `@.parentRef.namespace=="${gateway.namespace}"`,
        ...(gateway.sectionName === undefined ? [] : [`@.parentRef.sectionName=="${gateway.sectionName}"`]),
    ].join(" && ");
    // observedGeneration is optional on a condition (metav1.Condition; gateway-api's CRD does not require
    // it): without it a condition counts as current, or every update would time out on such a Gateway.
    const current = `(@.observedGeneration==$.metadata.generation || !@.observedGeneration)`;
    const condition = (type: string) =>
        `jsonpath={.status.parents[?(${parent})].conditions[?(@.type=="${type}" && @.status=="True" && ${current})].type}`;
    return JSON.stringify([condition("Accepted"), condition("ResolvedRefs")]);
}

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
    /** The route's spec as registered (the gate reads its weights when a replaced route's old object is deleted). */
    readonly spec: HTTPRouteSpec;

    constructor(name: string, args: WeightedRouteArgs, opts?: pulumi.ComponentResourceOptions) {
        super("switchyard:kubernetes:WeightedRoute", name, {}, opts);
        this.spec = httpRouteSpec(args);
        this.route = new k8s.apiextensions.CustomResource(
            name,
            {
                apiVersion: HTTPROUTE_API_VERSION,
                kind: "HTTPRoute",
                metadata: {
                    name: args.routeName,
                    namespace: args.namespace,
                    labels: { app: args.routeName, ...MANAGED_BY },
                    annotations: { ...args.annotations, "pulumi.com/waitFor": acceptanceAwait(args.gateway) },
                },
                spec: this.spec,
            },
            { parent: this, provider: args.provider, dependsOn: args.waitFor, ...(args.hooks ? { hooks: args.hooks } : {}) },
        );
        // The name it was given, as the provider returns it (see ColorEnvironment's outputs).
        this.registerOutputs({ route: args.routeName });
    }
}

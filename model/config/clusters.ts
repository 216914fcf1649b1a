// `switchyard:clusters`: each cluster's kubeconfig context, namespace, Gateway, domains, weight
// override, DNS share and pull secrets. Pure.

import { isIP } from "node:net";
import { ObjectReader, isPlainObject, type IntegerRule, type Problems } from "../validation.ts";
import { DNS_LABEL, HOSTNAME, ROUTE_DOMAIN } from "./patterns.ts";
import type { ClusterSpec, GatewayRef } from "./types.ts";
import { WEIGHT_RULE } from "./weights.ts";

const CLUSTER_KEYS = [
    "name",
    "context",
    "namespace",
    "createNamespace",
    "gateway",
    "hostnames",
    "greenWeight",
    "trafficShare",
    "gatewayAddress",
    "imagePullSecrets",
] as const;
const GATEWAY_KEYS = ["name", "namespace", "sectionName"] as const;

const SHARE_RULE: IntegerRule = { min: 0, meaning: "relative share of DNS answers; 0 drains the cluster" };

function readGateway(cluster: ObjectReader): GatewayRef {
    const gateway = cluster.object("gateway", GATEWAY_KEYS, {
        required: true,
        allowed: "an object with the Gateway's name, namespace and optional sectionName",
    });
    if (!gateway) return { name: "", namespace: "" };
    const sectionName = gateway.optionalString("sectionName", "a listener name of that Gateway", DNS_LABEL);
    return {
        name: gateway.string("name", "the name of a Gateway (a DNS-1123 label)", { pattern: DNS_LABEL }) ?? "",
        namespace: gateway.string("namespace", "the namespace of that Gateway", { pattern: DNS_LABEL }) ?? "",
        ...(sectionName === undefined ? {} : { sectionName }),
    };
}

export function readCluster(value: unknown, path: string, problems: Problems): ClusterSpec | undefined {
    if (!isPlainObject(value)) {
        problems.add(path, value, "an object with name, namespace, gateway and hostnames");
        return undefined;
    }
    const c = new ObjectReader(value, path, problems, CLUSTER_KEYS);
    const name = c.string("name", "a lowercase DNS label, e.g. eks-us-east-1 (it names resources and DNS records)", {
        pattern: DNS_LABEL,
    });
    const context = c.optionalString("context", "the name of a context in your kubeconfig");
    const greenWeight = c.optionalInteger("greenWeight", WEIGHT_RULE);
    const gatewayAddress = c.optionalString("gatewayAddress", "a hostname or an IP address of the cluster's Gateway");
    if (gatewayAddress !== undefined && !HOSTNAME.test(gatewayAddress) && isIP(gatewayAddress) === 0) {
        c.problem("gatewayAddress", "a hostname (e.g. a load balancer's DNS name) or an IPv4/IPv6 address");
    }
    const createNamespace = c.raw("createNamespace");
    const imagePullSecrets = c.stringList("imagePullSecrets", "a list of Secret names in the cluster's namespace", {
        pattern: DNS_LABEL,
        minItems: 0,
    });
    if (createNamespace !== undefined && typeof createNamespace !== "boolean") {
        c.problem("createNamespace", "true (switchyard creates the namespace) or false (it exists already)");
    } else if (createNamespace !== false && imagePullSecrets.length > 0) {
        c.problem(
            "createNamespace",
            `false while ${c.at("imagePullSecrets")} is set: the pods need the pull secret in the namespace before they start, so ` +
                `prepare the namespace with the secret and let switchyard use it (a namespace it creates has no secret, and ` +
                `Kubernetes refuses to create one that exists)`,
        );
    }
    return {
        name: name ?? "",
        ...(context === undefined ? {} : { context }),
        namespace: c.string("namespace", "a Kubernetes namespace name (DNS-1123 label)", {
            pattern: DNS_LABEL,
            fallback: "switchyard",
        })!,
        createNamespace: createNamespace !== false,
        gateway: readGateway(c),
        hostnames: c.stringList("hostnames", "a non-empty list of domains, e.g. [shop.example.com], or wildcards such as [*.example.com]", {
            pattern: ROUTE_DOMAIN,
            minItems: 1,
        }),
        ...(greenWeight === undefined ? {} : { greenWeight }),
        trafficShare: c.integer("trafficShare", SHARE_RULE, 1),
        ...(gatewayAddress === undefined ? {} : { gatewayAddress }),
        imagePullSecrets,
    };
}

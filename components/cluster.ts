import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { MANAGED_BY } from "../model/labels.ts";

export interface ClusterArgs {
    /** kubeconfig context to use; the kubeconfig's current context when unset. */
    context?: string;
    /** kubeconfig contents, as a Pulumi secret; the operator's own kubeconfig file when unset. */
    kubeconfig?: pulumi.Input<string>;
    /** Namespace on this cluster for every service's objects. */
    namespace: string;
    /** Create the namespace (default), or use one prepared beforehand, e.g. holding image pull secrets. */
    createNamespace?: boolean;
}

/**
 * One Kubernetes cluster: its own provider (never the ambient default) and the namespace that holds
 * switchyard's objects. Everything placed on the cluster is created through `provider`.
 */
export class Cluster extends pulumi.ComponentResource {
    readonly provider: k8s.Provider;
    /** The namespace's name, as an output so that objects placed in it depend on it. */
    readonly namespace: pulumi.Output<string>;

    constructor(name: string, args: ClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("switchyard:kubernetes:Cluster", name, {}, opts);
        this.provider = new k8s.Provider(
            name,
            {
                ...(args.context === undefined ? {} : { context: args.context }),
                ...(args.kubeconfig === undefined ? {} : { kubeconfig: args.kubeconfig }),
            },
            { parent: this },
        );
        this.namespace =
            args.createNamespace === false
                ? pulumi.output(args.namespace)
                : new k8s.core.v1.Namespace(
                      name,
                      { metadata: { name: args.namespace, labels: { ...MANAGED_BY } } },
                      { parent: this, provider: this.provider },
                  ).metadata.name;
        this.registerOutputs({ namespace: this.namespace });
    }
}

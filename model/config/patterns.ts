// Patterns and quantities shared by the readers of several keys. Pure.

import { COLORS } from "./types.ts";

// DNS-1123 label: Kubernetes object names, and here also cluster names (they become DNS labels).
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
// DNS-1035 label: Kubernetes Service names must start with a letter.
export const SERVICE_NAME = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
// At least two labels, and a last label (the TLD) that is not all digits, so that 10.0.0.256 is no hostname.
export const HOSTNAME = /^(?=.{1,253}$)([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)+(?=[-a-z0-9]*[a-z])[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
// A Gateway API hostname may start with a wildcard label (`*.example.com`); DNS names here may not.
export const ROUTE_DOMAIN = new RegExp(`^(\\*\\.)?${HOSTNAME.source.slice(1)}`);
export const RECORD_LABELS = /^([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$/;
export const LABEL_VALUE = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const HTTP_PATH = /^\/[A-Za-z0-9\-._~!$&'()*+,;=:@/%]*$/;
export const CPU = /^([0-9]+(\.[0-9]+)?|[0-9]+m)$/;
export const MEMORY = /^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|k|M|G|T)?$/;

/**
 * Every region the AWS provider knows: the values of @pulumi/aws's Region enum, in its order. The
 * model cannot load the provider (no Pulumi import, and the policy pack runs without it), so the
 * list lives here and test/config.spec.ts checks that it equals the installed provider's enum.
 */
export const AWS_REGIONS: readonly string[] = [
    "af-south-1", "ap-east-1", "ap-east-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
    "ap-south-1", "ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4",
    "ap-southeast-5", "ap-southeast-6", "ap-southeast-7", "ca-central-1", "ca-west-1", "eu-central-1",
    "eu-central-2", "eu-north-1", "eu-south-1", "eu-south-2", "eu-west-1", "eu-west-2", "eu-west-3",
    "il-central-1", "me-central-1", "me-south-1", "mx-central-1", "sa-east-1", "us-east-1", "us-east-2",
    "us-west-1", "us-west-2", "cn-north-1", "cn-northwest-1", "eusc-de-east-1", "us-gov-east-1",
    "us-gov-west-1", "us-iso-east-1", "us-iso-west-1", "us-isob-east-1", "us-isob-west-1", "eu-isoe-west-1",
    "us-isof-east-1", "us-isof-south-1",
];

/** Longest color suffix added to a service name for its Deployment and Service ("-green"). */
const COLOR_SUFFIX = Math.max(...COLORS.map((c) => c.length + 1));
export const MAX_SERVICE_NAME = 63 - COLOR_SUFFIX;

export const DEFAULT_RESOURCES = {
    requests: { cpu: "100m", memory: "128Mi" },
    limits: { cpu: "500m", memory: "256Mi" },
} as const;

export const CPU_UNITS: Record<string, number> = { m: 1e-3, "": 1 };
export const MEMORY_UNITS: Record<string, number> = {
    "": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40,
};

export function quantityValue(text: string, units: Record<string, number>): number {
    const match = /^([0-9.]+)([A-Za-z]*)$/.exec(text)!;
    return Number(match[1]) * units[match[2]!]!;
}

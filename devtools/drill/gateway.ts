// A drill's stand-in for one cluster's Gateway: the share of a plain GET (no cohort header, no
// query) that an HTTPRoute sends to a service's green Service, read from the route as a rehearsal
// applied it. Paths are not matched: the program's weighted rule takes every path. So a drill's load moves when the stack is applied, as traffic does after
// `pulumi up`, and not when its file is edited.

import type { HTTPRouteSpec } from "../../components/weightedRoute.ts";
import { colorObjectName } from "../../model/labels.ts";

type Rule = NonNullable<HTTPRouteSpec["rules"]>[number];

/** A rule a GET with no headers and no query parameters takes: one of its matches asks for none of those (or it has none). */
function takesPlainRequests(rule: Rule): boolean {
    const matches = rule.matches ?? [];
    return matches.length === 0 || matches.some((m) => (m.headers ?? []).length === 0 && (m.queryParams ?? []).length === 0 && (m.method === undefined || m.method === "GET"));
}

/**
 * Percent of plain GET requests the route sends to `service`'s green Service: its first rule that
 * takes such requests, split by backendRef weight (a backendRef without one weighs 1, as the
 * Gateway API says). 0 when there is no route, no such rule, or every weight is 0.
 */
export function greenPercentOf(route: unknown, service: string): number {
    const rule = ((route as HTTPRouteSpec | undefined)?.rules ?? []).find(takesPlainRequests);
    const refs = rule?.backendRefs ?? [];
    const total = refs.reduce((sum, ref) => sum + (ref.weight ?? 1), 0);
    if (total === 0) return 0;
    const green = refs.filter((ref) => ref.name === colorObjectName(service, "green")).reduce((sum, ref) => sum + (ref.weight ?? 1), 0);
    return (100 * green) / total;
}

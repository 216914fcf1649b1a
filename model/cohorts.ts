// Grey release by cohort and shadow traffic: `switchyard:cohorts` picks who sees a color whatever
// the weights (HTTPRoute rules ahead of the weighted one), `switchyard:mirror` copies a share of the
// weighted traffic to the color that gets less of it. Config readers, cross-checks against the
// fleet, and the Gateway API objects they become. Pure: no Pulumi import.

import type { IHTTPHeaderMatch } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPHeaderMatch";
import type { IHTTPQueryParamMatch } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPQueryParamMatch";
import type { IHTTPRouteFilter } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRouteFilter";
import type { IHTTPRouteMatch } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRouteMatch";
import type { IHTTPRouteRule } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRouteRule";
import type { ClusterSpec, Cohort, CohortMatch, Color, CookieMatch, MatchType, MirrorSpec, ServiceSpec, StackModel, ValueMatch } from "./config/types.ts";
import { escapeRegex, regexProblem } from "./gatewayRegex.ts";
import { colorObjectName } from "./labels.ts";
import type { ColorWeights } from "./traffic.ts";
import { ObjectReader, Problems, isPlainObject, parseStructured } from "./validation.ts";

const COHORT_KEYS = ["name", "color", "match", "services", "clusters"] as const;
const MATCH_KEYS = ["headers", "cookie", "queryParams"] as const;
const VALUE_MATCH_KEYS = ["name", "value", "type"] as const;
const COOKIE_KEYS = ["name", "value"] as const;
const MIRROR_KEYS = ["percent"] as const;

/** Limits of the HTTPRoute CRD (Gateway API v1): exceeding one makes the API server refuse the route. */
export const ROUTE_LIMITS = {
    rules: 16,
    matchesPerRule: 64,
    matchesPerRoute: 128,
    headersPerMatch: 16,
    queryParamsPerMatch: 16,
} as const;

/** RFC 7230 token, which is also the Gateway API's pattern for header and query parameter names. */
const TOKEN = /^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/;
const MAX_NAME = 256;
/** RFC 7230 field value without obsolete folding: printable ASCII, single spaces or tabs between. */
const FIELD_VALUE = /^[!-~]+(?:[\t ][!-~]+)*$/;
const MAX_HEADER_VALUE = 4096;
const MAX_QUERY_VALUE = 1024;
/** RFC 6265 cookie-octet: printable ASCII except space, double quote, comma, semicolon and backslash. */
const COOKIE_VALUE = /^[\x21\x23-\x2B\x2D-\x3A\x3C-\x5B\x5D-\x7E]+$/;
const CONTROL = /[\x00-\x1f\x7f]/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const COHORTS_KEY = "switchyard:cohorts";

function isColor(value: unknown): value is Color {
    return value === "blue" || value === "green";
}

/** A list of objects at `path`, each read by its own ObjectReader; at most `max` items when given. */
function readItems<T>(
    value: unknown,
    path: string,
    problems: Problems,
    options: { max?: number; allowed: string; known: readonly string[] },
    read: (item: ObjectReader) => T | undefined,
): T[] {
    if (!Array.isArray(value) || (options.max !== undefined && value.length > options.max)) {
        problems.add(path, value, options.max === undefined ? options.allowed : `${options.allowed}; at most ${options.max}`);
        return [];
    }
    return value.flatMap((item, i) => {
        const itemPath = `${path}[${i}]`;
        if (!isPlainObject(item)) {
            problems.add(itemPath, item, options.allowed);
            return [];
        }
        const parsed = read(new ObjectReader(item, itemPath, problems, options.known));
        return parsed === undefined ? [] : [parsed];
    });
}

/** A match value as text: YAML turns `value: 1` or `value: true` into a number or a boolean. */
function valueText(value: unknown): string | undefined {
    if (typeof value === "string") return value;
    if (typeof value === "number" || typeof value === "boolean") return String(value);
    return undefined;
}

function readValueMatch(r: ObjectReader, kind: "header" | "query parameter"): ValueMatch | undefined {
    const example = kind === "header" ? "x-switchyard-cohort" : "beta";
    const name = r.string("name", `a ${kind} name: an RFC 7230 token (letters, digits and !#$%&'*+-.^_\`|~) of at most ${MAX_NAME} characters, e.g. ${example}`, {
        pattern: TOKEN,
    });
    if (name !== undefined && name.length > MAX_NAME) r.problem("name", `a ${kind} name of at most ${MAX_NAME} characters`);
    let type: MatchType = "Exact";
    if (r.has("type")) {
        const given = r.raw("type");
        if (given === "Exact" || given === "RegularExpression") type = given;
        else r.problem("type", "Exact (the default) or RegularExpression");
    }
    const value = valueText(r.raw("value"));
    const maxLength = kind === "header" ? MAX_HEADER_VALUE : MAX_QUERY_VALUE;
    const printable = kind === "header" ? FIELD_VALUE.test(value ?? "") : value !== undefined && !CONTROL.test(value);
    const patternProblem = type === "RegularExpression" && value !== undefined ? regexProblem(value) : undefined;
    const valueProblem =
        value === undefined || value.length === 0 || value.length > maxLength || !printable
            ? kind === "header"
                ? `a header value of 1 to ${maxLength} printable ASCII characters, single spaces or tabs between them`
                : `a query parameter value of 1 to ${maxLength} characters without control characters`
            : patternProblem !== undefined
              ? `a regular expression that RE2-based gateways (Envoy Gateway, Istio, GKE) accept; this one is ${patternProblem}`
              : undefined;
    if (valueProblem) r.problem("value", valueProblem);
    if (name === undefined || name.length > MAX_NAME || valueProblem) return undefined;
    return { name, value: value!, type };
}

/** The Cookie header, matched so that `name=value` is one of its cookies, wherever it stands. */
export function cookiePattern(cookie: CookieMatch): string {
    return `^(?:.*;\\s*)?${escapeRegex(cookie.name)}=${escapeRegex(cookie.value)}(?:\\s*;.*)?$`;
}

function readCookie(r: ObjectReader): CookieMatch | undefined {
    const name = r.string("name", `a cookie name: an RFC 7230 token of at most ${MAX_NAME} characters, e.g. beta`, { pattern: TOKEN });
    if (name !== undefined && name.length > MAX_NAME) r.problem("name", `a cookie name of at most ${MAX_NAME} characters`);
    const value = valueText(r.raw("value"));
    if (value === undefined || !COOKIE_VALUE.test(value)) {
        r.problem("value", "a cookie value (RFC 6265): printable ASCII without spaces, double quotes, commas, semicolons or backslashes");
        return undefined;
    }
    if (name === undefined || name.length > MAX_NAME) return undefined;
    if (cookiePattern({ name, value }).length > MAX_HEADER_VALUE) {
        r.problem("value", `a cookie name and value short enough that the Cookie header pattern fits ${MAX_HEADER_VALUE} characters`);
        return undefined;
    }
    return { name, value };
}

const MATCH_ALLOWED = "a match object {headers, cookie, queryParams} with at least one condition";

/** Names that repeat in one match: only the first would count, so a repeat is a mistake. */
function checkRepeats(names: { name: string; path: string }[], problems: Problems, what: string): void {
    const seen = new Set<string>();
    for (const { name, path } of names) {
        if (seen.has(name)) problems.add(path, name, `a ${what} not already matched in this match (only the first of equal names counts)`);
        seen.add(name);
    }
}

function readMatch(value: unknown, path: string, problems: Problems): CohortMatch | undefined {
    if (!isPlainObject(value)) {
        problems.add(path, value, MATCH_ALLOWED);
        return undefined;
    }
    const m = new ObjectReader(value, path, problems, MATCH_KEYS);
    const listed = (key: string) => m.has(key) && !(Array.isArray(m.raw(key)) && (m.raw(key) as unknown[]).length === 0);
    if (!MATCH_KEYS.some(listed)) {
        problems.add(path, value, `${MATCH_ALLOWED}: a match without one would send every request to the cohort's color`);
        return undefined;
    }
    const headerOptions = { max: ROUTE_LIMITS.headersPerMatch, allowed: "a list of header matches {name, value, type}", known: VALUE_MATCH_KEYS };
    const headers = m.has("headers") ? readItems(m.raw("headers"), m.at("headers"), problems, headerOptions, (r) => readValueMatch(r, "header")) : [];
    const queryOptions = { max: ROUTE_LIMITS.queryParamsPerMatch, allowed: "a list of query parameter matches {name, value, type}", known: VALUE_MATCH_KEYS };
    const queryParams = m.has("queryParams")
        ? readItems(m.raw("queryParams"), m.at("queryParams"), problems, queryOptions, (r) => readValueMatch(r, "query parameter"))
        : [];
    const cookieReader = m.object("cookie", COOKIE_KEYS, { required: false, allowed: "an object with the cookie's name and value" });
    const cookie = cookieReader ? readCookie(cookieReader) : undefined;
    if (headers.length + (cookie ? 1 : 0) > ROUTE_LIMITS.headersPerMatch) {
        m.problem("headers", `at most ${ROUTE_LIMITS.headersPerMatch} header matches, the cookie counted as one (a limit of the HTTPRoute CRD)`);
    }
    const headerNames = headers.map((h, i) => ({ name: h.name.toLowerCase(), path: `${m.at("headers")}[${i}].name` }));
    checkRepeats([...headerNames, ...(cookie ? [{ name: "cookie", path: m.at("cookie") }] : [])], problems, "header name (names are case-insensitive; the cookie is the Cookie header)");
    checkRepeats(queryParams.map((q, i) => ({ name: q.name, path: `${m.at("queryParams")}[${i}].name` })), problems, "query parameter name");
    return { headers, ...(cookie ? { cookie } : {}), queryParams };
}

function readCohort(r: ObjectReader, problems: Problems): Cohort | undefined {
    const name = r.string("name", "a lowercase DNS label naming the cohort, e.g. beta", { pattern: DNS_LABEL });
    const color = r.raw("color");
    if (!isColor(color)) r.problem("color", "blue or green: the color every request of the cohort goes to");
    const match = r.raw("match");
    let matches: CohortMatch[] = [];
    if (isPlainObject(match)) {
        matches = [readMatch(match, r.at("match"), problems)].filter((m) => m !== undefined);
    } else if (Array.isArray(match) && match.length > 0 && match.length <= ROUTE_LIMITS.matchesPerRule) {
        matches = match.flatMap((item, i) => readMatch(item, `${r.at("match")}[${i}]`, problems) ?? []);
    } else {
        r.problem("match", `${MATCH_ALLOWED}, or a list of 1 to ${ROUTE_LIMITS.matchesPerRule} of them (a request in any one is in the cohort)`);
    }
    const scope = (key: "services" | "clusters") =>
        r.has(key) ? r.stringList(key, `a non-empty list of ${key.slice(0, -1)} names; leave ${key} out for every ${key.slice(0, -1)}`, { minItems: 1 }) : undefined;
    const services = scope("services");
    const clusters = scope("clusters");
    if (name === undefined || !isColor(color)) return undefined;
    return { name, color, matches, ...(services ? { services } : {}), ...(clusters ? { clusters } : {}) };
}

/**
 * `switchyard:cohorts`. The cross-checks against services and clusters name cohorts by their index,
 * so a list with a problem of its own is returned empty: those checks wait for a list that reads.
 */
export function readCohorts(raw: string | undefined, problems: Problems): Cohort[] {
    if (raw === undefined) return [];
    const value = parseStructured(COHORTS_KEY, raw, problems, "a YAML list or object");
    if (value === undefined) return [];
    const before = problems.list.length;
    const cohorts = readItems(
        value,
        COHORTS_KEY,
        problems,
        { allowed: "a list of cohorts, each {name, color, match, services?, clusters?}", known: COHORT_KEYS },
        (r) => readCohort(r, problems),
    );
    const firstIndex = new Map<string, number>();
    cohorts.forEach((cohort, i) => {
        const first = firstIndex.get(cohort.name);
        if (first === undefined) firstIndex.set(cohort.name, i);
        else problems.add(`${COHORTS_KEY}[${i}].name`, cohort.name, `a name no other cohort uses (cohorts[${first}] is also "${cohort.name}")`);
    });
    return problems.list.length === before ? cohorts : [];
}

/** `switchyard:mirror`: absent or percent 0 means no shadow traffic. */
export function readMirror(raw: string | undefined, problems: Problems): MirrorSpec | undefined {
    if (raw === undefined) return undefined;
    const value = parseStructured("switchyard:mirror", raw, problems, "a YAML list or object");
    if (value === undefined) return undefined;
    if (!isPlainObject(value)) {
        problems.add("switchyard:mirror", value, "an object {percent}");
        return undefined;
    }
    const r = new ObjectReader(value, "switchyard:mirror", problems, MIRROR_KEYS);
    // A mistyped key is reported as such; its missing percent would only echo that mistake.
    if (!r.has("percent") && Object.keys(value).length > 0) return undefined;
    const percent = r.integer("percent", { min: 0, max: 100, meaning: "percent of the weighted traffic copied to the color that gets less of it; 0 copies none" });
    return percent === 0 ? undefined : { percent };
}

/** The color the mirror copies requests to: the one with less weight; none at 50/50 or without a mirror. */
export function mirrorTarget(mirror: MirrorSpec | undefined, weights: ColorWeights): Color | undefined {
    if (mirror === undefined || weights.blue === weights.green) return undefined;
    return weights.blue < weights.green ? "blue" : "green";
}

/** The cohorts that apply to one service on one cluster, in config order. */
export function cohortsOn(cohorts: readonly Cohort[], service: string, cluster: string): Cohort[] {
    return cohorts.filter((c) => (c.services?.includes(service) ?? true) && (c.clusters?.includes(cluster) ?? true));
}

/** Colors some cohort sends requests to on this service and cluster: they take traffic whatever their weight. */
export function cohortColorsOn(cohorts: readonly Cohort[], service: string, cluster: string): Color[] {
    return [...new Set(cohortsOn(cohorts, service, cluster).map((c) => c.color))];
}

/** Cross-field rules: names that exist, colors that are deployed, routes within the CRD's limits. */
export function checkCohorts(model: Pick<StackModel, "cohorts" | "services" | "clusters">, problems: Problems): void {
    const serviceNames = model.services.map((s) => s.name).filter((n) => n !== "");
    const clusterNames = model.clusters.map((c) => c.name).filter((n) => n !== "");
    model.cohorts.forEach((cohort, ci) => {
        const path = `${COHORTS_KEY}[${ci}]`;
        cohort.services?.forEach((name, j) => {
            if (!serviceNames.includes(name)) problems.add(`${path}.services[${j}]`, name, `the name of a service in switchyard:services (${serviceNames.join(", ")})`);
        });
        cohort.clusters?.forEach((name, j) => {
            if (!clusterNames.includes(name)) problems.add(`${path}.clusters[${j}]`, name, `the name of a cluster in switchyard:clusters (${clusterNames.join(", ")})`);
        });
        model.services.forEach((service, si) => {
            if (service.name === "" || !(cohort.services?.includes(service.name) ?? true) || service[cohort.color] !== undefined) return;
            problems.add(
                `${path}.color`,
                cohort.color,
                `a color deployed for every service the cohort covers: services[${si}] (${service.name}) has no ${cohort.color}; ` +
                    `deploy it (services[${si}].${cohort.color}) or list the cohort's services`,
            );
        });
    });
    const overRules: string[] = [];
    const overMatches: string[] = [];
    for (const cluster of model.clusters) {
        for (const service of model.services) {
            const applying = cohortsOn(model.cohorts, service.name, cluster.name);
            const route = `${service.name} on ${cluster.name}`;
            if (applying.length + 1 > ROUTE_LIMITS.rules) overRules.push(`${route} (${applying.length})`);
            const matches = applying.reduce((sum, c) => sum + c.matches.length, 1);
            if (matches > ROUTE_LIMITS.matchesPerRoute) overMatches.push(`${route} (${matches})`);
        }
    }
    if (overRules.length > 0) {
        problems.add(
            COHORTS_KEY,
            `${model.cohorts.length} cohorts`,
            `at most ${ROUTE_LIMITS.rules - 1} cohorts on one service and cluster: each is a rule of its HTTPRoute next to the weighted rule, ` +
                `and the CRD allows ${ROUTE_LIMITS.rules} rules. Over on ${overRules.join(", ")}; narrow cohorts with services or clusters`,
        );
    }
    if (overMatches.length > 0) {
        problems.add(
            COHORTS_KEY,
            `${model.cohorts.length} cohorts`,
            `at most ${ROUTE_LIMITS.matchesPerRoute} matches on one HTTPRoute, the weighted rule's one included (a limit of the CRD). ` +
                `Over on ${overMatches.join(", ")}`,
        );
    }
}

const EVERY_PATH: IHTTPRouteMatch["path"] = { type: "PathPrefix", value: "/" };

function routeMatch(match: CohortMatch): IHTTPRouteMatch {
    const headers: IHTTPHeaderMatch[] = match.headers.map((h) => ({ name: h.name, type: h.type, value: h.value }));
    if (match.cookie) headers.push({ name: "Cookie", type: "RegularExpression", value: cookiePattern(match.cookie) });
    const queryParams: IHTTPQueryParamMatch[] = match.queryParams.map((q) => ({ name: q.name, type: q.type, value: q.value }));
    return { path: EVERY_PATH, ...(headers.length > 0 ? { headers } : {}), ...(queryParams.length > 0 ? { queryParams } : {}) };
}

/**
 * One HTTPRoute rule per cohort that applies to this service on this cluster, in config order, each
 * sending its matches to its color's Service alone. They go ahead of the weighted rule and do not
 * depend on any weight, so a greenWeight change leaves them as they are.
 */
export function cohortRules(cohorts: readonly Cohort[], service: Pick<ServiceSpec, "name" | "port">, cluster: Pick<ClusterSpec, "name">): IHTTPRouteRule[] {
    return cohortsOn(cohorts, service.name, cluster.name).map((cohort) => ({
        matches: cohort.matches.map(routeMatch),
        backendRefs: [{ group: "", kind: "Service", name: colorObjectName(service.name, cohort.color), port: service.port }],
    }));
}

/**
 * The RequestMirror filter for the weighted rule: `percent` of its requests copied to the deployed
 * color with the smaller weight (at 0/100 the idle color, before it serves anything). None at
 * 50/50, where neither color is the one to try out, and none without mirror config.
 */
export function mirrorFilter(mirror: MirrorSpec | undefined, service: Pick<ServiceSpec, "name" | "port" | "blue" | "green">, weights: ColorWeights): IHTTPRouteFilter | undefined {
    const target = mirrorTarget(mirror, weights);
    if (mirror === undefined || target === undefined || service[target] === undefined) return undefined;
    return {
        type: "RequestMirror",
        requestMirror: {
            backendRef: { group: "", kind: "Service", name: colorObjectName(service.name, target), port: service.port },
            percent: mirror.percent,
        },
    };
}

// A small valid stack (two clusters, two services, both colors) as the SDK hands it to
// parseStackConfig, for specs of the config readers that need a whole model around them.

import { expect } from "chai";
import { parseStackConfig } from "../model/config/parse.ts";
import type { ParseEnvironment, RawConfig, StackModel } from "../model/config/types.ts";
import { ConfigError } from "../model/validation.ts";

export const cluster = (name: string, extra: Record<string, unknown> = {}) => ({
    name,
    context: `ctx-${name}`,
    namespace: "shop",
    gateway: { name: "public", namespace: "gateway-system" },
    hostnames: [`${name}.example.com`],
    ...extra,
});

export const service = (name: string, extra: Record<string, unknown> = {}) => ({
    name,
    port: 8080,
    replicas: 3,
    blue: { image: `ghcr.io/acme/${name}:1.0.0` },
    green: { image: `ghcr.io/acme/${name}:1.1.0` },
    ...extra,
});

export function raw(overrides: Record<string, unknown> = {}): RawConfig {
    const values: Record<string, unknown> = {
        greenWeight: "0",
        clusters: [cluster("east"), cluster("west")],
        services: [service("cart"), service("checkout")],
        ...overrides,
    };
    return Object.fromEntries(
        Object.entries(values)
            .filter(([, v]) => v !== undefined)
            .map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
    );
}

/** A project where every path exists, nothing is secret and no other namespace is set. */
export const anyPathEnvironment: ParseEnvironment = { isSecret: () => false, pathExists: () => true };

export function parse(overrides: Record<string, unknown> = {}, environment = anyPathEnvironment): StackModel {
    return parseStackConfig(raw(overrides), environment);
}

export function configErrorOf(overrides: Record<string, unknown>, environment = anyPathEnvironment): ConfigError {
    try {
        parse(overrides, environment);
    } catch (error) {
        expect(error).to.be.instanceOf(ConfigError);
        return error as ConfigError;
    }
    throw new Error(`expected a config error for ${JSON.stringify(overrides)}`);
}

/** The problem lines of the error, each also listed in its message under the header. */
export function problemsOf(overrides: Record<string, unknown>, environment = anyPathEnvironment): string[] {
    const { problems, message } = configErrorOf(overrides, environment);
    expect(problems).to.not.be.empty;
    expect(message.split("\n").slice(1)).to.deep.equal(problems.map((p) => `  - ${p}`));
    return problems;
}

/**
 * The config has exactly one problem, on `key`, in the one shape every config error takes:
 * `key: got <value>; allowed: <what>`. `value` is the exact rendering, or a pattern for one too long
 * to spell out; `allowed` must match what is allowed.
 */
export function expectOneProblem(overrides: Record<string, unknown>, key: string, value: string | RegExp, allowed: RegExp): string {
    const problems = problemsOf(overrides);
    expect(problems, problems.join("\n")).to.have.length(1);
    const problem = problems[0]!;
    const shape = /^(.+?): got (.*?); allowed: (.*)$/s.exec(problem);
    expect(shape, problem).to.not.equal(null);
    expect(shape![1], problem).to.equal(key);
    if (typeof value === "string") expect(shape![2], problem).to.equal(value);
    else expect(shape![2], problem).to.match(value);
    expect(shape![3], problem).to.match(allowed);
    return problem;
}

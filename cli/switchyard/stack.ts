// The stack as the program reads it — Pulumi.yaml defaults applied, secrets as placeholders,
// validated by parseStackConfig — plus where its file is, for commands that edit it.

import { existsSync } from "node:fs";
import { join } from "node:path";
import { PROJECT } from "../../model/config/keys.ts";
import type { StackModel } from "../../model/config/types.ts";
import type { AnalysisSpec } from "../../model/config/types.ts";
import { ConfigError } from "../../model/validation.ts";
import { loadStackConfig, missingStack, stackModel } from "../../model/stackFiles.ts";
import { CommandError, UsageError } from "./errors.ts";

export interface ProjectStack {
    name: string;
    /** The project directory: Pulumi.yaml and the stack file live here. */
    dir: string;
    file: string;
    model: StackModel;
}

export function loadProjectStack(stack: string, dir: string): ProjectStack {
    const file = join(dir, `Pulumi.${stack}.yaml`);
    if (!existsSync(join(dir, "Pulumi.yaml"))) throw new CommandError(`no Pulumi.yaml in ${dir}: run switchyard in the project directory, or give --cwd <dir>`);
    const missing = missingStack(stack, dir);
    if (missing) throw new UsageError(missing);
    let stackConfig: ReturnType<typeof loadStackConfig>;
    try {
        stackConfig = loadStackConfig(stack, {}, dir);
    } catch (error) {
        throw new CommandError(`cannot read ${file}: ${(error as Error).message}`);
    }
    return { name: stack, dir, file, model: stackModel(stackConfig, dir) };
}

/** The analysis settings, which analyze, advance and rollout cannot do without. */
export function requireAnalysis(stack: ProjectStack, command: string): AnalysisSpec {
    const analysis = stack.model.rollout.analysis;
    if (!analysis) {
        throw new ConfigError([
            `${PROJECT}:rollout.analysis: got nothing (the key is missing); allowed: an object with prometheus {url} at least, which switchyard ${command} needs (see docs/progressive-delivery.md)`,
        ]);
    }
    return analysis;
}

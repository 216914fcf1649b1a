// Reads the `switchyard:` namespace from the Pulumi runtime and validates it before any resource
// is registered. The only module that knows where config, and the kubeconfig secret, come from.

import * as pulumi from "@pulumi/pulumi";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { PROJECT_DIR } from "../model/projectDir.ts";
import { ConfigError } from "../model/validation.ts";
import { PROJECT, switchyardKeys } from "../model/config/keys.ts";
import { parseStackConfig } from "../model/config/parse.ts";
import { projectDefaults, readProjectFile, readProjectText } from "../model/stackFiles.ts";
import type { StackModel } from "../model/config/types.ts";

export { PROJECT_DIR };

// The SDK keeps the stack's secret keys here (set by the CLI, or by setAllConfig under mocks);
// it is exported at runtime but not in the typings.
const runtimeConfig = pulumi.runtime as unknown as { isConfigSecret(key: string): boolean };

export interface Stack {
    model: StackModel;
    /** The merged kubeconfig, still a secret; undefined when each provider uses the operator's own. */
    kubeconfig?: pulumi.Output<string>;
}

/** The stack's config, parsed with the project's files (Pulumi.yaml, the fleet file) read from `projectDir`. */
export function loadStack(projectDir: string = PROJECT_DIR): Stack {
    const prefix = `${PROJECT}:`;
    const { raw, otherKeys } = switchyardKeys(pulumi.runtime.allConfig());
    let model: StackModel;
    try {
        model = parseStackConfig(raw, {
            isSecret: (key) => runtimeConfig.isConfigSecret(`${prefix}${key}`),
            pathExists: (relativePath) => existsSync(resolve(projectDir, relativePath)),
            otherKeys,
            isOtherSecret: (key) => runtimeConfig.isConfigSecret(key),
            readFile: (relativePath) => readProjectText(projectDir, relativePath),
            // The CLI fills Pulumi.yaml's defaults into every stack's config: those were not set by the stack.
            projectDefaults: projectDefaults(readProjectFile(projectDir)),
            stackName: pulumi.getStack(),
        });
    } catch (error) {
        // RunError prints the message without a stack trace: the problems are the operator's to fix.
        if (error instanceof ConfigError) throw new pulumi.RunError(error.message);
        throw error;
    }
    return model.hasKubeconfig ? { model, kubeconfig: new pulumi.Config(PROJECT).requireSecret("kubeconfig") } : { model };
}

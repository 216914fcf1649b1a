// Where the project is: Pulumi.yaml, the stack files and the build contexts they name. Its own
// module, without the Pulumi SDK, so the tools that only read stack files start fast.

import { resolve } from "node:path";

export const PROJECT_DIR = resolve(import.meta.dirname, "..");

/** What `pulumi up` evaluates, beside Pulumi.yaml: the entry and the layers it imports (see README, Layout). */
export const PROGRAM_SOURCES = ["index.ts", "model", "components", "program"] as const;

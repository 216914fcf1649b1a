// A temporary project directory for a drill: Pulumi.yaml as the project has it, and a copy of the
// drill stack (devtools/drill/Pulumi.drill.yaml) whose service name and Prometheus URL the drill sets.
// switchyard then runs there with --cwd, and edits only the copy.

import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseDocument } from "yaml";
import { whenChanged } from "./whenChanged.ts";

const ROOT = resolve(import.meta.dirname, "../..");
export const DRILL_STACK_TEMPLATE = join(ROOT, "devtools/drill/Pulumi.drill.yaml");

export interface DrillProject {
    dir: string;
    stack: string;
    /** The stack file in `dir`. */
    file: string;
    remove(): Promise<void>;
}

export function drillProject(options: { stack?: string; service: string; prometheusUrl: string; alpha?: number }): DrillProject {
    const stack = options.stack ?? "drill";
    const dir = mkdtempSync(join(tmpdir(), "switchyard-drill-"));
    copyFileSync(join(ROOT, "Pulumi.yaml"), join(dir, "Pulumi.yaml"));
    const doc = parseDocument(readFileSync(DRILL_STACK_TEMPLATE, "utf8"));
    doc.setIn(["config", "switchyard:services", 0, "name"], options.service);
    doc.setIn(["config", "switchyard:rollout", "analysis", "prometheus", "url"], options.prometheusUrl);
    if (options.alpha !== undefined) doc.setIn(["config", "switchyard:rollout", "analysis", "alpha"], options.alpha);
    const file = join(dir, `Pulumi.${stack}.yaml`);
    writeFileSync(file, doc.toString());
    return { dir, stack, file, remove: async () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * The stack's greenWeight as the file says now. A load asks many times a second; the file is read
 * every time and parsed again only when its text changed (parsing it was most of a drill's load).
 */
export const greenWeightIn: (file: string) => number = whenChanged((text) => Number(parseDocument(text).getIn(["config", "switchyard:greenWeight"]) ?? 0));

import { expect } from "chai";
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { MANAGED_BY } from "../model/labels.ts";
import { readRecording } from "../devtools/bench/recording.ts";
import { measure, type RunSpec } from "../devtools/bench/runner.ts";
import { PROJECT_ROOT, loadStackConfig, readProjectFile } from "../model/stackFiles.ts";

const SKIPPED = new Set(["node_modules", ".git", "bench-results"]);

/** How the language host starts this project, read from Pulumi.yaml: entry file, ts-node or not, nodeargs. */
function languageHostSpec(projectDir: string): Omit<RunSpec, "stackConfig" | "recordTo"> {
    const project = readProjectFile(projectDir);
    const options = (typeof project.runtime === "string" ? undefined : project.runtime.options) ?? {};
    return {
        cwd: projectDir,
        program: join(projectDir, project.main ?? "."),
        nodeArgs: options.nodeargs ? options.nodeargs.split(/\s+/) : [],
        env: options.typescript === false ? {} : { PULUMI_NODEJS_TYPESCRIPT: "true" },
    };
}

describe("program loading", function () {
    let projectCopy: string;
    before(() => {
        projectCopy = mkdtempSync(join(tmpdir(), "switchyard-fresh-"));
        cpSync(PROJECT_ROOT, projectCopy, { recursive: true, filter: (source) => !SKIPPED.has(basename(source)) });
        symlinkSync(join(PROJECT_ROOT, "node_modules"), join(projectCopy, "node_modules"));
    });
    after(() => rmSync(projectCopy, { recursive: true, force: true }));

    it("evaluates the source on disk: an edit to a component shows in the very next run through Pulumi's entry", () => {
        const key = Object.keys(MANAGED_BY)[0] as keyof typeof MANAGED_BY;
        const managedBy = (path: string) => {
            const namespace = readRecording(path).find((r) => r.type === "kubernetes:core/v1:Namespace")!;
            return (namespace.inputs.metadata as { labels: Record<string, string> }).labels[key];
        };
        const run = (recordTo: string) => measure({ ...languageHostSpec(projectCopy), stackConfig: loadStackConfig("dev"), recordTo }, projectCopy);

        const before = join(projectCopy, "before.json");
        run(before);
        expect(managedBy(before)).to.equal(MANAGED_BY[key]);

        const labels = join(projectCopy, "model", "labels.ts");
        const marker = `edited-${process.pid}-${Date.now()}`;
        const source = readFileSync(labels, "utf8");
        const edited = source.replace(JSON.stringify(MANAGED_BY[key]), JSON.stringify(marker));
        expect(edited, "the edit changes labels.ts").to.not.equal(source);
        writeFileSync(labels, edited);

        const after = join(projectCopy, "after.json");
        run(after);
        expect(managedBy(after)).to.equal(marker);
    });
});

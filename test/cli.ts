// Runs the real `switchyard` command (bin/switchyard.mjs) as its own process, bounded in time.

import { spawn } from "node:child_process";
import { resolve } from "node:path";

export const SWITCHYARD_BIN = resolve(import.meta.dirname, "../bin/switchyard.mjs");

export interface CommandRun {
    code: number | null;
    stdout: string;
    stderr: string;
}

export function runSwitchyard(args: string[], options: { env?: NodeJS.ProcessEnv; nodeArgs?: string[]; timeoutMs?: number } = {}): Promise<CommandRun> {
    // A token in the developer's own environment must not reach a test that did not set one.
    const env = options.env ?? { ...process.env, SWITCHYARD_PROMETHEUS_TOKEN: "" };
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), SWITCHYARD_BIN, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const timeout = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 30_000);
    return new Promise((done, fail) => {
        child.on("error", fail);
        child.on("close", (code) => {
            clearTimeout(timeout);
            done({ code, stdout, stderr });
        });
    });
}

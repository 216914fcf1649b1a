// Errors the switchyard command reports as they are, exiting 3 with nothing written. Kept apart
// from the commands so that the entry can tell them without loading the commands' dependencies.

export class CommandError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "CommandError";
    }
}

/** A usage mistake: an unknown command or flag, no --stack, no such stack. Exits 64 with the usage. */
export class UsageError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "UsageError";
    }
}

/**
 * Targets whose selectors match no series at all: a config mistake, never "no traffic", so the
 * command stops (exit 3) with every one of them said and nothing written.
 */
export function noSeriesError(problems: readonly string[]): CommandError {
    return new CommandError(
        `no requests series at all for ${problems.length === 1 ? "a target" : `${problems.length} targets`}, so nothing can be judged, ` +
            `ever (a config mistake is not "no traffic"). Nothing was written.\n${problems.map((p) => `  ${p}`).join("\n")}`,
    );
}

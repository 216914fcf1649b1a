// Where a plan writes: stdout's lines, and stderr's (progress while it works, errors).

export interface PlanOutput {
    out(line: string): void;
    err(line: string): void;
}

// A small client for Prometheus's HTTP API (/api/v1/query, /api/v1/query_range and
// /api/v1/label/<name>/values), and for the
// compatible APIs of Thanos, Mimir and VictoriaMetrics. Every failure — unreachable, a timeout, an
// HTTP error, a PromQL error, an answer of the wrong shape — is a PrometheusError whose message
// says what to check; the bearer token never appears in one.

export class PrometheusError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "PrometheusError";
    }
}

export interface PrometheusOptions {
    /** Base URL, e.g. https://prometheus.example.com or http://127.0.0.1:9090/prometheus. */
    url: string;
    token?: string;
    /** Per request; default 10 s. */
    timeoutMs?: number;
}

/** One series of a range query: its labels and its values by Unix second. */
export interface RangeSeries {
    labels: Record<string, string>;
    values: Map<number, number>;
}

export interface InstantSample {
    labels: Record<string, string>;
    value: number;
}

interface ApiAnswer {
    status?: string;
    errorType?: string;
    error?: string;
    data?: unknown;
}

function endpoint(base: string, path: string): string {
    return `${base.replace(/\/+$/, "")}${path}`;
}

/** Prometheus writes sample values as strings, NaN and ±Inf included. */
function sampleValue(text: unknown): number {
    if (typeof text !== "string") throw new PrometheusError(`Prometheus answered a sample value that is no string: ${JSON.stringify(text)}`);
    if (text === "+Inf" || text === "Inf") return Number.POSITIVE_INFINITY;
    if (text === "-Inf") return Number.NEGATIVE_INFINITY;
    return Number(text);
}

export class PrometheusClient {
    readonly url: string;
    private readonly token: string | undefined;
    private readonly timeoutMs: number;

    constructor(options: PrometheusOptions) {
        this.url = options.url;
        this.token = options.token;
        this.timeoutMs = options.timeoutMs ?? 10_000;
    }

    /** The answer's `data`; POST keeps long queries out of URLs (and out of proxy logs), where the API takes it. */
    private async request(path: string, form: Record<string, string>, method: "POST" | "GET"): Promise<{ data: unknown; body: string; where: string }> {
        const params = new URLSearchParams(form);
        const where = endpoint(this.url, path);
        const headers: Record<string, string> = { accept: "application/json" };
        if (method === "POST") headers["content-type"] = "application/x-www-form-urlencoded";
        if (this.token) headers.authorization = `Bearer ${this.token}`;
        let response: Response;
        try {
            response = await fetch(method === "POST" ? where : `${where}?${params}`, {
                method,
                headers,
                ...(method === "POST" ? { body: params } : {}),
                signal: AbortSignal.timeout(this.timeoutMs),
            });
        } catch (error) {
            const cause = (error as { cause?: { code?: string; message?: string } }).cause;
            if ((error as Error).name === "TimeoutError") {
                throw new PrometheusError(`Prometheus at ${this.url} did not answer within ${this.timeoutMs / 1000} s (${path})`);
            }
            throw new PrometheusError(`cannot reach Prometheus at ${this.url}: ${cause?.code ?? cause?.message ?? (error as Error).message}`);
        }
        const body = await response.text().catch(() => "");
        let answer: ApiAnswer | undefined;
        try {
            answer = JSON.parse(body) as ApiAnswer;
        } catch {
            answer = undefined;
        }
        if (answer?.status === "error") {
            throw new PrometheusError(`Prometheus refused the query (${answer.errorType ?? `HTTP ${response.status}`}): ${answer.error ?? "no reason given"}\n  query: ${form.query ?? form["match[]"]}`);
        }
        if (!response.ok) {
            const hint = response.status === 401 || response.status === 403 ? "; check the bearer token (SWITCHYARD_PROMETHEUS_TOKEN or switchyard:rollout.analysis.prometheus.token)" : "";
            throw new PrometheusError(`Prometheus at ${this.url} answered HTTP ${response.status} ${response.statusText}${hint}`);
        }
        if (answer?.status !== "success") throw new PrometheusError(`${where} did not answer like the Prometheus HTTP API: ${body.slice(0, 200)}`);
        return { data: answer.data, body, where };
    }

    private async call(path: string, form: Record<string, string>): Promise<{ resultType: string; result: unknown }> {
        const { data, body, where } = await this.request(path, form, "POST");
        const { resultType, result } = (data ?? {}) as { resultType?: unknown; result?: unknown };
        if (typeof resultType !== "string") throw new PrometheusError(`${where} did not answer like the Prometheus HTTP API: ${body.slice(0, 200)}`);
        return { resultType, result };
    }

    /**
     * The values label `name` takes on the series that `match` selects between `start` and `end`
     * (Unix seconds), sorted: what analysis names when a selector finds no series at all.
     */
    async labelValues(name: string, match: string, start: number, end: number): Promise<string[]> {
        const { data, body, where } = await this.request(`/api/v1/label/${encodeURIComponent(name)}/values`, { "match[]": match, start: String(start), end: String(end) }, "GET");
        if (!Array.isArray(data) || data.some((v) => typeof v !== "string")) {
            throw new PrometheusError(`${where} did not answer a list of label values like the Prometheus HTTP API: ${body.slice(0, 200)}`);
        }
        return [...(data as string[])].sort();
    }

    /** An instant query at `time` (Unix seconds; Prometheus's now when unset). */
    async query(promql: string, time?: number): Promise<InstantSample[]> {
        const { resultType, result } = await this.call("/api/v1/query", { query: promql, ...(time === undefined ? {} : { time: String(time) }) });
        if (resultType === "scalar") return [{ labels: {}, value: sampleValue((result as [number, string])[1]) }];
        if (resultType !== "vector" || !Array.isArray(result)) throw new PrometheusError(`expected an instant vector, Prometheus answered a ${resultType}\n  query: ${promql}`);
        return result.map((item: { metric?: Record<string, string>; value?: [number, string] }) => ({
            labels: item.metric ?? {},
            value: sampleValue(item.value?.[1]),
        }));
    }

    /** A range query from `start` to `end` (Unix seconds) every `stepSeconds`. */
    async queryRange(promql: string, start: number, end: number, stepSeconds: number): Promise<RangeSeries[]> {
        const { resultType, result } = await this.call("/api/v1/query_range", {
            query: promql,
            start: String(start),
            end: String(end),
            step: String(stepSeconds),
        });
        if (resultType !== "matrix" || !Array.isArray(result)) throw new PrometheusError(`expected a range vector, Prometheus answered a ${resultType}\n  query: ${promql}`);
        return result.map((item: { metric?: Record<string, string>; values?: [number, string][] }) => ({
            labels: item.metric ?? {},
            values: new Map((item.values ?? []).map(([time, text]) => [time, sampleValue(text)] as const)),
        }));
    }
}

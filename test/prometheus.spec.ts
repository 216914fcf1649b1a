import { expect } from "chai";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { PrometheusClient, PrometheusError } from "../cli/prometheus.ts";

interface Seen {
    method: string;
    path: string;
    authorization: string | undefined;
    form: URLSearchParams;
}

/** A stand-in for Prometheus on loopback that answers what each test tells it to. */
describe("prometheus client", () => {
    let server: Server;
    let base: string;
    let seen: Seen[] = [];
    let answer: (request: IncomingMessage, response: ServerResponse) => void = () => {};

    before(async () => {
        server = createServer((request, response) => {
            let body = "";
            request.on("data", (chunk) => (body += chunk));
            request.on("end", () => {
                seen.push({ method: request.method!, path: request.url!, authorization: request.headers.authorization, form: new URLSearchParams(body) });
                answer(request, response);
            });
        });
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });

    after(async () => {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
    });

    beforeEach(() => {
        seen = [];
    });

    const json = (status: number, body: unknown) => (_: IncomingMessage, response: ServerResponse) => {
        response.writeHead(status, { "content-type": "application/json" });
        response.end(JSON.stringify(body));
    };

    async function failure(promise: Promise<unknown>): Promise<PrometheusError> {
        try {
            await promise;
        } catch (error) {
            expect(error).to.be.instanceOf(PrometheusError);
            return error as PrometheusError;
        }
        throw new Error("expected a PrometheusError");
    }

    it("posts a range query with its bounds and step, and reads every series with NaN and infinities", async () => {
        answer = json(200, {
            status: "success",
            data: {
                resultType: "matrix",
                result: [
                    { metric: { color: "green" }, values: [[100, "1.5"], [160, "NaN"], [220, "+Inf"]] },
                    { metric: {}, values: [[100, "-Inf"]] },
                ],
            },
        });
        const series = await new PrometheusClient({ url: `${base}/` }).queryRange("sum(x)", 100, 220, 60);
        expect(seen).to.have.length(1);
        expect(seen[0]!.method).to.equal("POST");
        expect(seen[0]!.path, "one slash between base and path").to.equal("/api/v1/query_range");
        expect(Object.fromEntries(seen[0]!.form)).to.deep.equal({ query: "sum(x)", start: "100", end: "220", step: "60" });
        expect(seen[0]!.authorization).to.equal(undefined);
        expect(series).to.have.length(2);
        expect(series[0]!.labels).to.deep.equal({ color: "green" });
        expect([...series[0]!.values]).to.deep.equal([[100, 1.5], [160, Number.NaN], [220, Number.POSITIVE_INFINITY]]);
        expect([...series[1]!.values]).to.deep.equal([[100, Number.NEGATIVE_INFINITY]]);
    });

    it("sends the bearer token and keeps a path prefix of the base URL", async () => {
        answer = json(200, { status: "success", data: { resultType: "vector", result: [{ metric: { a: "b" }, value: [5, "42"] }] } });
        const samples = await new PrometheusClient({ url: `${base}/prom`, token: "s3cret" }).query("up", 5);
        expect(seen[0]!.path).to.equal("/prom/api/v1/query");
        expect(seen[0]!.authorization).to.equal("Bearer s3cret");
        expect(Object.fromEntries(seen[0]!.form)).to.deep.equal({ query: "up", time: "5" });
        expect(samples).to.deep.equal([{ labels: { a: "b" }, value: 42 }]);
    });

    it("reads a scalar answer as one unlabelled sample", async () => {
        answer = json(200, { status: "success", data: { resultType: "scalar", result: [5, "1700000000.5"] } });
        expect(await new PrometheusClient({ url: base }).query("time()")).to.deep.equal([{ labels: {}, value: 1700000000.5 }]);
        expect(Object.fromEntries(seen[0]!.form), "Prometheus's own now").to.deep.equal({ query: "time()" });
    });

    it("reports a PromQL error with Prometheus's reason and the query", async () => {
        answer = json(400, { status: "error", errorType: "bad_data", error: 'parse error: unexpected "}"' });
        const error = await failure(new PrometheusClient({ url: base }).queryRange("sum(x})", 0, 60, 60));
        expect(error.message).to.equal('Prometheus refused the query (bad_data): parse error: unexpected "}"\n  query: sum(x})');
    });

    it("points at the token on 401 and 403 without ever printing it", async () => {
        answer = (_request, response) => {
            response.writeHead(401, "Unauthorized");
            response.end("no");
        };
        const error = await failure(new PrometheusClient({ url: base, token: "s3cret" }).query("up"));
        expect(error.message).to.match(/answered HTTP 401 Unauthorized; check the bearer token \(SWITCHYARD_PROMETHEUS_TOKEN/);
        expect(error.message).to.not.include("s3cret");
    });

    it("reports other HTTP errors with their status", async () => {
        answer = (_request, response) => {
            response.writeHead(502, "Bad Gateway");
            response.end("<html>");
        };
        expect((await failure(new PrometheusClient({ url: base }).query("up"))).message).to.equal(`Prometheus at ${base} answered HTTP 502 Bad Gateway`);
    });

    it("refuses an answer that is not the Prometheus API, and a result of the wrong type", async () => {
        answer = (_request, response) => {
            response.writeHead(200, { "content-type": "text/html" });
            response.end("<html>login</html>");
        };
        expect((await failure(new PrometheusClient({ url: base }).query("up"))).message).to.match(/did not answer like the Prometheus HTTP API: <html>login/);
        answer = json(200, { status: "success", data: { resultType: "vector", result: [] } });
        expect((await failure(new PrometheusClient({ url: base }).queryRange("up", 0, 1, 1))).message).to.match(/^expected a range vector, Prometheus answered a vector/);
        answer = json(200, { status: "success", data: { resultType: "matrix", result: [] } });
        expect((await failure(new PrometheusClient({ url: base }).query("up"))).message).to.match(/^expected an instant vector, Prometheus answered a matrix/);
        answer = json(200, { status: "success", data: { resultType: "vector", result: [{ metric: {}, value: [1, 5] }] } });
        expect((await failure(new PrometheusClient({ url: base }).query("up"))).message).to.match(/a sample value that is no string: 5/);
    });

    it("gives up after its timeout", async () => {
        answer = () => {};
        const started = Date.now();
        const error = await failure(new PrometheusClient({ url: base, timeoutMs: 200 }).query("up"));
        expect(error.message).to.equal(`Prometheus at ${base} did not answer within 0.2 s (/api/v1/query)`);
        expect(Date.now() - started).to.be.below(2000);
    });

    it("says when Prometheus cannot be reached", async () => {
        const closed = createServer();
        await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
        const port = (closed.address() as AddressInfo).port;
        await new Promise((resolve) => closed.close(resolve));
        const error = await failure(new PrometheusClient({ url: `http://127.0.0.1:${port}` }).query("up"));
        expect(error.message).to.equal(`cannot reach Prometheus at http://127.0.0.1:${port}: ECONNREFUSED`);
    });

    it("asks a label's values with GET, the selector and the range, and sorts them", async () => {
        answer = json(200, { status: "success", data: ["gke-euw1", "eks-use1"] });
        const values = await new PrometheusClient({ url: `${base}/`, token: "t" }).labelValues("cluster", 'http_requests_total{service="cart"}', 100, 220);
        expect(values).to.deep.equal(["eks-use1", "gke-euw1"]);
        expect(seen[0]!.method).to.equal("GET");
        const url = new URL(seen[0]!.path, base);
        expect(url.pathname).to.equal("/api/v1/label/cluster/values");
        expect([...url.searchParams]).to.deep.equal([["match[]", 'http_requests_total{service="cart"}'], ["start", "100"], ["end", "220"]]);
        expect(seen[0]!.authorization).to.equal("Bearer t");
    });

    it("refuses label values that are no list of strings", async () => {
        answer = json(200, { status: "success", data: { resultType: "vector", result: [] } });
        expect((await failure(new PrometheusClient({ url: base }).labelValues("cluster", "up", 0, 1))).message).to.match(/\/api\/v1\/label\/cluster\/values did not answer a list of label values like the Prometheus HTTP API: /);
        answer = json(200, { status: "success", data: ["a", 1] });
        expect((await failure(new PrometheusClient({ url: base }).labelValues("cluster", "up", 0, 1))).message).to.match(/did not answer a list of label values/);
        answer = json(400, { status: "error", errorType: "bad_data", error: "parse error" });
        expect((await failure(new PrometheusClient({ url: base }).labelValues("cluster", "up{", 0, 1))).message).to.equal("Prometheus refused the query (bad_data): parse error\n  query: up{");
    });
});

// Demo service for switchyard: answers with its color and version and serves a health path, so a
// traffic shift is visible from outside (curl the public name and count the colors). It exports
// Prometheus metrics per service, color and version, which `switchyard analyze` judges, and can be
// told to fail or slow down (FAULT_RATE, FAULT_DELAY_MS) for drills.
import { createServer } from "node:http";
import { Counter, Histogram, Registry } from "prom-client";

// switchyard sets these from the service's config; the fallbacks serve `docker run`.
const port = Number(process.env.SWITCHYARD_PORT ?? process.env.PORT ?? 8080);
const healthPath = process.env.SWITCHYARD_HEALTH_PATH ?? "/healthz";
const service = process.env.SWITCHYARD_SERVICE ?? "demo";
const color = process.env.SWITCHYARD_COLOR ?? "unknown";
const version = process.env.SWITCHYARD_VERSION ?? process.env.APP_VERSION ?? "unknown";

function fraction(name, fallback) {
    const text = process.env[name];
    if (text === undefined || text === "") return fallback;
    const value = Number(text);
    if (!Number.isFinite(value) || value < 0 || value > 1) {
        console.error(`${name} must be a number from 0 to 1 (the fraction of requests answered 500), got ${JSON.stringify(text)}`);
        process.exit(2);
    }
    return value;
}

function milliseconds(name) {
    const text = process.env[name];
    if (text === undefined || text === "") return 0;
    const value = Number(text);
    if (!Number.isInteger(value) || value < 0) {
        console.error(`${name} must be a whole number of milliseconds >= 0, got ${JSON.stringify(text)}`);
        process.exit(2);
    }
    return value;
}

const faultRate = fraction("FAULT_RATE", 0);
const faultDelayMs = milliseconds("FAULT_DELAY_MS");

const registry = new Registry();
const labels = { service, color, version };
const requests = new Counter({
    name: "http_requests_total",
    help: "Requests answered, by status code. Health checks and scrapes are not counted.",
    labelNames: ["service", "color", "version", "code"],
    registers: [registry],
});
const duration = new Histogram({
    name: "http_request_duration_seconds",
    help: "Time from a request's arrival to its response. Health checks and scrapes are not counted.",
    labelNames: ["service", "color", "version"],
    // Fine around the latencies analysis judges (300 ms, 500 ms), coarse beyond.
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 2.5, 5, 10],
    registers: [registry],
});

let draining = false;

const server = createServer((request, response) => {
    const path = new URL(request.url ?? "/", "http://localhost").pathname;
    if (path === healthPath) {
        response.writeHead(draining ? 503 : 200, { "content-type": "text/plain" });
        response.end(draining ? "draining\n" : "ok\n");
        return;
    }
    if (path === "/metrics") {
        registry.metrics().then((text) => {
            response.writeHead(200, { "content-type": registry.contentType });
            response.end(text);
        });
        return;
    }
    const stopTimer = duration.startTimer(labels);
    const fail = faultRate > 0 && Math.random() < faultRate;
    const answer = () => {
        const code = fail ? 500 : 200;
        response.writeHead(code, { "content-type": "application/json", "x-switchyard-color": color });
        response.end(`${JSON.stringify(fail ? { color, version, path, error: "injected fault (FAULT_RATE)" } : { color, version, path })}\n`);
        requests.inc({ ...labels, code: String(code) });
        stopTimer();
    };
    if (faultDelayMs > 0) setTimeout(answer, faultDelayMs);
    else answer();
});

// Fail readiness first, then close, so the rolling update never drops an in-flight request.
process.on("SIGTERM", () => {
    draining = true;
    setTimeout(() => server.close(() => process.exit(0)), 5000).unref();
});

server.listen(port, () => {
    const faults = faultRate > 0 || faultDelayMs > 0 ? ` (faults: ${faultRate * 100} % answered 500, ${faultDelayMs} ms added)` : "";
    console.log(`switchyard demo ${service} ${color} ${version} listening on :${server.address().port}${faults}`);
});

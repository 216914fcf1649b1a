// A bounded load for drills: a steady rate of requests split between the two colors by the
// weight a Gateway would apply, sent only to loopback, stopping by itself after a time and a count.

import { Agent, request } from "node:http";

export interface LoadOptions {
    blueUrl: string;
    greenUrl: string;
    /** Percent of requests to green, asked every tick (20 ms) so a drill can follow the stack file. */
    greenWeight: () => number;
    requestsPerSecond: number;
    maxSeconds: number;
}

export interface Load {
    sent: { blue: number; green: number };
    /** Stops sending and waits for the requests in flight. */
    stop(): Promise<void>;
}

const TICK_MS = 20;

/**
 * Splits like a smooth weighted round robin: after n requests green has had floor(n × w / 100),
 * so the observed share is the weight to within one request at every moment.
 */
export function startLoad(options: LoadOptions): Load {
    const agent = new Agent({ keepAlive: true, maxSockets: 16 });
    const sent = { blue: 0, green: 0 };
    const maxRequests = Math.ceil(options.requestsPerSecond * options.maxSeconds);
    let total = 0;
    let greenCredit = 0;
    let inFlight = 0;
    let idle: (() => void) | undefined;
    const started = Date.now();
    const one = (weight: number) => {
        // Whole percent points, so that 20 requests at 5 % give green exactly one.
        greenCredit += weight;
        const toGreen = greenCredit >= 100;
        if (toGreen) greenCredit -= 100;
        sent[toGreen ? "green" : "blue"]++;
        total++;
        inFlight++;
        const done = () => {
            inFlight--;
            if (inFlight === 0) idle?.();
        };
        request(`${toGreen ? options.greenUrl : options.blueUrl}/checkout`, { agent }, (response) => {
            response.resume();
            response.on("end", done);
            response.on("error", done);
        })
            .on("error", done)
            .end();
    };
    const timer = setInterval(() => {
        const due = Math.min(maxRequests, Math.floor(((Date.now() - started) / 1000) * options.requestsPerSecond));
        // The weight is asked once a tick, not once a request: a drill's weight reads the stack
        // file, and hundreds of reads a second starve the process the load shares with the judge.
        const weight = total < due ? Math.min(100, Math.max(0, Math.round(options.greenWeight()))) : 0;
        while (total < due) one(weight);
        if (total >= maxRequests) clearInterval(timer);
    }, TICK_MS);
    timer.unref();
    return {
        sent,
        async stop() {
            clearInterval(timer);
            if (inFlight > 0) await new Promise<void>((done) => (idle = done));
            agent.destroy();
        },
    };
}

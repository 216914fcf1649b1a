// The M/M/c queue (Erlang C): Poisson arrivals at rate λ, c servers each completing work at rate μ
// with exponential service times, one first-come first-served queue. Pure and free of imports, so
// the policy pack can be published on its own and the program imports the same arithmetic from here.
//
// Rates are per second; waits are in seconds unless a name says otherwise. Erlang B is computed by
// its recurrence B(0) = 1, B(k) = a·B(k−1) / (k + a·B(k−1)), every term a probability in [0, 1], so
// hundreds of servers neither overflow a factorial nor lose precision; Erlang C follows from B.

/** What a color must achieve at its load: a mean wait in queue, or a share of busy servers. */
export type CapacityTarget = { maxWaitMs: number } | { maxUtilization: number };

export interface Queue {
    /** λ: requests per second arriving. */
    arrivalRate: number;
    /** μ: requests per second one server sustains. */
    serviceRate: number;
    /** c: servers (pods). */
    servers: number;
}

export interface QueueMetrics {
    /** a = λ/μ in erlangs: how many servers the load keeps busy on average. */
    offeredLoad: number;
    /** ρ = λ/(cμ); 1 or more means the queue grows without bound. */
    utilization: number;
    /** Erlang C: the probability that a request finds every server busy and waits. */
    waitProbability: number;
    /** Wq = C/(cμ − λ): mean time in queue over all requests; Infinity when ρ ≥ 1. */
    meanWaitSeconds: number;
}

function requireRate(name: string, value: number, positive: boolean): void {
    if (!Number.isFinite(value) || value < 0 || (positive && value === 0)) {
        throw new RangeError(`${name} must be a finite number ${positive ? "> 0" : ">= 0"}, got ${value}`);
    }
}

function requireServers(servers: number): void {
    if (!Number.isSafeInteger(servers) || servers < 0) throw new RangeError(`servers must be an integer >= 0, got ${servers}`);
}

/** Erlang B: the probability that a request finds all `servers` busy when nothing may queue. */
export function erlangB(servers: number, offeredLoad: number): number {
    requireServers(servers);
    requireRate("offeredLoad", offeredLoad, false);
    let blocking = 1;
    for (let k = 1; k <= servers; k++) blocking = (offeredLoad * blocking) / (k + offeredLoad * blocking);
    return blocking;
}

/** Erlang B for one more server, from its value for `servers` (one step of the recurrence). */
function nextErlangB(servers: number, offeredLoad: number, blocking: number): number {
    return (offeredLoad * blocking) / (servers + 1 + offeredLoad * blocking);
}

/** Erlang C from Erlang B: C = c·B / (c − a·(1 − B)); 1 when the load reaches the servers. */
function erlangCFromB(servers: number, offeredLoad: number, blocking: number): number {
    if (offeredLoad === 0) return 0;
    if (offeredLoad >= servers) return 1;
    return (servers * blocking) / (servers - offeredLoad * (1 - blocking));
}

/** Erlang C: the probability that a request waits in an M/M/c queue with this offered load. */
export function erlangC(servers: number, offeredLoad: number): number {
    return erlangCFromB(servers, offeredLoad, erlangB(servers, offeredLoad));
}

function metricsFrom(queue: Queue, blocking: number): QueueMetrics {
    const { arrivalRate, serviceRate, servers } = queue;
    const offeredLoad = arrivalRate / serviceRate;
    if (arrivalRate === 0) return { offeredLoad: 0, utilization: 0, waitProbability: 0, meanWaitSeconds: 0 };
    if (servers === 0) return { offeredLoad, utilization: Infinity, waitProbability: 1, meanWaitSeconds: Infinity };
    const utilization = arrivalRate / (servers * serviceRate);
    const waitProbability = erlangCFromB(servers, offeredLoad, blocking);
    const meanWaitSeconds = utilization >= 1 ? Infinity : waitProbability / (servers * serviceRate - arrivalRate);
    return { offeredLoad, utilization, waitProbability, meanWaitSeconds };
}

/** Utilization, probability of waiting and mean wait of one queue. */
export function queueMetrics(queue: Queue): QueueMetrics {
    requireRate("arrivalRate", queue.arrivalRate, false);
    requireRate("serviceRate", queue.serviceRate, true);
    requireServers(queue.servers);
    return metricsFrom(queue, erlangB(queue.servers, queue.arrivalRate / queue.serviceRate));
}

/** ρ = λ/(cμ). */
export function utilization(queue: Queue): number {
    return queueMetrics(queue).utilization;
}

/** Wq in seconds: the mean time a request spends queued before a server takes it. */
export function meanWaitSeconds(queue: Queue): number {
    return queueMetrics(queue).meanWaitSeconds;
}

/** Whether the queue keeps up (ρ < 1) and meets the target. */
export function meetsTarget(metrics: QueueMetrics, target: CapacityTarget): boolean {
    if (metrics.utilization >= 1) return false;
    if ("maxWaitMs" in target) return metrics.meanWaitSeconds * 1000 <= target.maxWaitMs;
    return metrics.utilization <= target.maxUtilization;
}

function requireTarget(target: CapacityTarget): void {
    const value = "maxWaitMs" in target ? target.maxWaitMs : target.maxUtilization;
    const valid = "maxWaitMs" in target ? Number.isFinite(value) && value > 0 : value > 0 && value < 1;
    if (!valid) throw new RangeError(`capacity target ${JSON.stringify(target)} is not a positive wait or a utilization between 0 and 1`);
}

/**
 * The fewest servers that keep up with `arrivalRate` and meet the target; 0 for no load. Starts at
 * the smallest stable count (and, for a utilization target, the smallest that meets it) and adds one
 * server at a time, each step one term of the Erlang B recurrence: the mean wait falls as servers
 * are added, so the first count that meets the target is the answer.
 */
export function fewestServers(arrivalRate: number, serviceRate: number, target: CapacityTarget): number {
    requireRate("arrivalRate", arrivalRate, false);
    requireRate("serviceRate", serviceRate, true);
    requireTarget(target);
    if (arrivalRate === 0) return 0;
    const offeredLoad = arrivalRate / serviceRate;
    let servers = Math.max(1, Math.floor(offeredLoad) + 1);
    if ("maxUtilization" in target) servers = Math.max(servers, Math.floor(offeredLoad / target.maxUtilization));
    let blocking = erlangB(servers, offeredLoad);
    while (!meetsTarget(metricsFrom({ arrivalRate, serviceRate, servers }, blocking), target)) {
        blocking = nextErlangB(servers, offeredLoad, blocking);
        servers += 1;
    }
    return servers;
}

/**
 * A steady stream of HTTP row pushes to a server's push source, as a careful client sends them: each
 * push carries rows with ids never used before; a 503 means "not stored, retry", so the same rows go
 * again; a 200 acknowledges them. Anything else is recorded as an error. A watcher meanwhile polls
 * /healthz, GET /v1/queries and a SELECT, recording what the server said.
 */

export interface PushStreamStats {
  /** Ids of acknowledged rows (each row's `v` is its id). */
  readonly acked: number[];
  /** Responses by HTTP status. */
  readonly statuses: Map<number, number>;
  /** Answers that a careful client cannot act on (500s, a success for the wrong row count, ...). */
  readonly errors: string[];
}

const ROWS_PER_PUSH = 20;

export class PushStream implements PushStreamStats {
  readonly acked: number[] = [];
  readonly statuses = new Map<number, number>();
  readonly errors: string[] = [];
  /** When the last push was acknowledged (Date.now()). */
  lastAck = 0;
  /** The longest a push took to be answered. */
  slowestMs = 0;
  private nextId = 1;
  private stopping = false;
  private readonly done: Promise<void>;

  constructor(private readonly url: string, private readonly source: string) {
    this.done = this.run();
  }

  /** Stops after the rows in flight are acknowledged (retried on 503 until they are). */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.done;
  }

  private async run(): Promise<void> {
    let pending: number[] | null = null;
    while (!this.stopping || pending !== null) {
      const ids: number[] = pending ?? Array.from({ length: ROWS_PER_PUSH }, () => this.nextId++);
      let status = 0;
      let body: unknown = null;
      const started = Date.now();
      try {
        const res = await fetch(`${this.url}/v1/sources/${this.source}/rows`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(ids.map((id) => ({ id, v: id }))),
        });
        status = res.status;
        body = await res.json();
      } catch (e) {
        this.errors.push(`push failed without an answer: ${(e as Error).message}`);
        return;
      }
      this.slowestMs = Math.max(this.slowestMs, Date.now() - started);
      this.statuses.set(status, (this.statuses.get(status) ?? 0) + 1);
      if (status === 200) {
        if ((body as { rows?: number }).rows !== ids.length) this.errors.push(`200 for ${JSON.stringify(body)}, expected ${ids.length} rows`);
        this.acked.push(...ids);
        this.lastAck = Date.now();
        pending = null;
      } else if (status === 503) {
        pending = ids;
        await sleep(50);
      } else {
        this.errors.push(`push answered ${status}: ${JSON.stringify(body)}`);
        pending = null;
      }
    }
  }
}

/**
 * One push of `ids` as a careful client makes it, retried on 503 until acknowledged (for at most
 * `ms`); returns every status it got, in order.
 */
export async function pushUntilAcked(url: string, source: string, ids: readonly number[], ms = 60_000): Promise<number[]> {
  const statuses: number[] = [];
  const until = Date.now() + ms;
  for (;;) {
    const res = await fetch(`${url}/v1/sources/${source}/rows`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(ids.map((id) => ({ id, v: id }))),
    });
    statuses.push(res.status);
    const body = (await res.json()) as { rows?: number };
    if (res.status === 200) {
      if (body.rows !== ids.length) throw new Error(`200 for ${JSON.stringify(body)}, expected ${ids.length} rows`);
      return statuses;
    }
    if (res.status !== 503 || Date.now() > until) throw new Error(`push answered ${res.status}: ${JSON.stringify(body)}`);
    await sleep(100);
  }
}

export interface Observation {
  readonly at: number;
  readonly what: 'health' | 'select' | 'queries';
  readonly status: number;
  readonly body: string;
}

/**
 * Polls /healthz, `select` (POST /v1/sql) and GET /v1/queries every `everyMs` until stopped, each
 * in a loop of its own (a SELECT waiting out a recovery holds up no health check).
 */
export class Watcher {
  readonly seen: Observation[] = [];
  private stopping = false;
  private readonly done: Promise<unknown>;

  constructor(private readonly url: string, select: string, everyMs = 100) {
    const post = { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sql: select }) };
    this.done = Promise.all([this.poll('health', '/healthz', {}, everyMs), this.poll('select', '/v1/sql', post, everyMs), this.poll('queries', '/v1/queries', {}, everyMs)]);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.done;
  }

  /** Observations of one kind since `from` (Date.now()). */
  since(from: number, what: Observation['what']): Observation[] {
    return this.seen.filter((o) => o.at >= from && o.what === what);
  }

  /** The queries' states GET /v1/queries listed. */
  queries(from = 0): { name: string; status: string; error: string | null }[] {
    return this.since(from, 'queries').flatMap((o) => (o.status === 200 ? (JSON.parse(o.body) as { queries: { name: string; status: string; error: string | null }[] }).queries : []));
  }

  private async poll(what: Observation['what'], route: string, init: RequestInit, everyMs: number): Promise<void> {
    while (!this.stopping) {
      try {
        const res = await fetch(`${this.url}${route}`, init);
        this.seen.push({ at: Date.now(), what, status: res.status, body: await res.text() });
      } catch {
        // the server went away: the test's own checks say so
      }
      await sleep(everyMs);
    }
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * A service's event-loop stalls while a benchmark runs: its Prometheus endpoint (METRICS_PORT) read
 * every `everyMs`; `nodejs_eventloop_delay_max` is the longest delay since the previous read
 * (the runtime instrumentation resets its histogram on each collection), `v8js_gc_duration_sum`
 * the time spent in garbage collection so far.
 */
export interface LoopWindow {
  /** performance.now() at the read: the window is (previous read, at]. */
  at: number;
  maxDelayMs: number;
  gcMs: number;
}

function sample(text: string, metric: string): number {
  let total = 0;
  for (const line of text.split('\n')) {
    const m = /^(\w+)(\{[^}]*\})?\s+(\S+)/.exec(line); // name{labels} value [timestamp]
    if (m?.[1] === metric) total += Number(m[3]);
  }
  return total;
}

export class EventLoopProbe {
  readonly windows: LoopWindow[] = [];
  private timer?: NodeJS.Timeout;
  private lastGc = 0;

  constructor(private readonly url: string, private readonly everyMs = 250) {}

  start(): void {
    const read = async () => {
      try {
        const text = await (await fetch(this.url)).text();
        const gc = sample(text, 'v8js_gc_duration_sum') * 1000;
        this.windows.push({ at: performance.now(), maxDelayMs: sample(text, 'nodejs_eventloop_delay_max') * 1000, gcMs: gc - this.lastGc });
        this.lastGc = gc;
      } catch {
        // a missed read widens the next window
      }
      if (this.timer) this.timer = setTimeout(() => void read(), this.everyMs);
    };
    this.timer = setTimeout(() => void read(), this.everyMs);
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Windows read between `from` and `to` (performance.now()). */
  between(from: number, to: number): LoopWindow[] {
    return this.windows.filter((w) => w.at > from && w.at <= to + this.everyMs);
  }
}

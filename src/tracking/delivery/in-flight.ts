// A cap on jobs running at once. MLflow's SQL store holds a pooled connection for a run's creation and
// takes a second one inside it (5 + 10 in the default pool): about 15 creations at once leave none
// free, and every one of them waits out the pool's 30 s timeout, then fails (seen with mlflow 3.17.2).

/** Runs jobs with at most `limit` of them started and not yet settled; the rest wait in order. */
export class InFlight {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit: number) {}

  async run<T>(job: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    try {
      return await job();
    } finally {
      // The slot passes straight to the next waiter, so a job arriving meanwhile cannot overtake it.
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}

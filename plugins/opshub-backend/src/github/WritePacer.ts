/**
 * Spaces GitHub's content-creating requests (statuses, deployments,
 * comments) at most `perMinute` a minute in this instance, under GitHub's
 * secondary limit of 80 a minute: each caller waits its turn.
 */
export class WritePacer {
  private nextAt = 0;

  constructor(
    private readonly perMinute: number,
    private readonly sleep: (ms: number) => Promise<void> = ms =>
      new Promise(resolve => setTimeout(resolve, ms)),
  ) {}

  async turn(): Promise<void> {
    const now = Date.now();
    const at = Math.max(now, this.nextAt);
    this.nextAt = at + 60_000 / this.perMinute;
    if (at > now) await this.sleep(at - now);
  }
}

import type { OpsHubHealthRollup } from '@opshub/plugin-opshub-common';
import { NoSparkline, Sparkline } from './Sparkline';

/**
 * A check's hourly P95 latencies over days (`rollups` oldest first), hours
 * with failed probes marked with a red dot, and the worst hour's P95 in
 * words. Hours without a successful probe have no P95 and are left out.
 */
export function RollupSparkline(props: {
  name: string;
  days: number;
  rollups: OpsHubHealthRollup[];
}) {
  const hours = props.rollups.filter(
    (r): r is OpsHubHealthRollup & { p95LatencyMs: number } =>
      r.p95LatencyMs !== null,
  );
  if (hours.length === 0) return <NoSparkline />;
  const failing = hours.filter(r => r.failures > 0).length;
  const worst = Math.max(...hours.map(r => r.p95LatencyMs));
  return (
    <Sparkline
      points={hours.map(r => ({
        latencyMs: r.p95LatencyMs,
        failed: r.failures > 0,
      }))}
      label={`Hourly P95 latency of ${props.name} over ${props.days} days${
        failing
          ? `, ${failing} ${failing === 1 ? 'hour' : 'hours'} with failures`
          : ''
      }`}
      summary={`P95 up to ${Math.round(worst)} ms`}
    />
  );
}

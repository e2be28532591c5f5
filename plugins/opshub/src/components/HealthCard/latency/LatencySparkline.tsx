import type { OpsHubHealthSample } from '@opshub/plugin-opshub-common';
import { p95LatencyMs } from '../health';
import { NoSparkline, Sparkline } from './Sparkline';

/**
 * The latencies of a check's latest probes as a line, oldest to newest,
 * failed probes marked with a red dot, and their P95 in words.
 * `samples` come newest first, as the API lists them.
 */
export function LatencySparkline(props: {
  name: string;
  samples: OpsHubHealthSample[];
}) {
  const samples = [...props.samples].reverse();
  const p95 = p95LatencyMs(samples);
  if (p95 === null) return <NoSparkline />;
  const failures = samples.filter(s => s.outcome === 'failure').length;
  return (
    <Sparkline
      points={samples.map(s => ({
        latencyMs: s.latencyMs,
        failed: s.outcome === 'failure',
      }))}
      label={`Latency of ${props.name}'s last ${samples.length} probes${
        failures ? `, ${failures} failed` : ''
      }`}
      summary={`P95 ${Math.round(p95)} ms`}
    />
  );
}

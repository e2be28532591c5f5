import type {
  OpsHubHealthCheck,
  OpsHubHealthRollup,
  OpsHubHealthSample,
} from '@opshub/plugin-opshub-common';
import { LatencySparkline } from './LatencySparkline';
import { type LatencyRange, RANGE_DAYS } from './latencyRange';
import { RollupSparkline } from './RollupSparkline';

/** What the latency column draws from, for the range shown. */
export interface LatencyData {
  range: LatencyRange;
  /** The latest samples of each check, newest first (24 h). */
  samples: Record<string, OpsHubHealthSample[]>;
  /** The hourly rollups of each check, oldest first (7 d, 30 d). */
  rollups: Record<string, OpsHubHealthRollup[]>;
}

/** A check's latency over the range: its latest probes, or hourly P95s. */
export function LatencyCell(props: {
  check: OpsHubHealthCheck;
  latency: LatencyData;
}) {
  const { check, latency } = props;
  if (latency.range === '24h') {
    return (
      <LatencySparkline
        name={check.name}
        samples={latency.samples[check.id] ?? []}
      />
    );
  }
  return (
    <RollupSparkline
      name={check.name}
      days={RANGE_DAYS[latency.range]}
      rollups={latency.rollups[check.id] ?? []}
    />
  );
}

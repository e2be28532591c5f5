import type { OpsHubHealthSample } from '@opshub/plugin-opshub-common';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import { useTheme } from '@material-ui/core/styles';
import { p95LatencyMs } from './health';

const WIDTH = 120;
const HEIGHT = 24;
const PAD = 2;

/**
 * The latencies of a check's latest probes as a line, oldest to newest,
 * failed probes marked with a red dot, and their P95 in words.
 * `samples` come newest first, as the API lists them.
 */
export function LatencySparkline(props: {
  name: string;
  samples: OpsHubHealthSample[];
}) {
  const theme = useTheme();
  const samples = [...props.samples].reverse();
  const p95 = p95LatencyMs(samples);
  if (p95 === null) {
    return (
      <Typography variant="body2" color="textSecondary">
        —
      </Typography>
    );
  }
  const max = Math.max(1, ...samples.map(s => s.latencyMs));
  const step =
    samples.length > 1 ? (WIDTH - 2 * PAD) / (samples.length - 1) : 0;
  const points = samples.map((s, i) => ({
    x: PAD + i * step,
    y: HEIGHT - PAD - (s.latencyMs / max) * (HEIGHT - 2 * PAD),
    failed: s.outcome === 'failure',
  }));
  const failures = points.filter(p => p.failed).length;
  return (
    <Box display="flex" alignItems="center" style={{ gap: 8 }}>
      <svg
        width={WIDTH}
        height={HEIGHT}
        role="img"
        aria-label={`Latency of ${props.name}'s last ${samples.length} probes${
          failures ? `, ${failures} failed` : ''
        }`}
      >
        <polyline
          fill="none"
          stroke={theme.palette.primary.main}
          strokeWidth={1.5}
          points={points.map(p => `${p.x},${p.y}`).join(' ')}
        />
        {points
          .filter(p => p.failed)
          .map(p => (
            <circle
              key={p.x}
              cx={p.x}
              cy={p.y}
              r={2}
              fill={theme.palette.error.main}
              data-testid="failed-probe"
            />
          ))}
      </svg>
      <Typography variant="body2" style={{ whiteSpace: 'nowrap' }}>
        P95 {Math.round(p95)} ms
      </Typography>
    </Box>
  );
}

import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import { useTheme } from '@material-ui/core/styles';

const WIDTH = 120;
const HEIGHT = 24;
const PAD = 2;

/** One point of a sparkline: a latency, and whether to mark it as failed. */
export interface SparkPoint {
  latencyMs: number;
  failed: boolean;
}

/**
 * Latencies as a line, oldest to newest, the failed ones marked with a red
 * dot (`failed-probe`), and a summary in words beside it.
 */
export function Sparkline(props: {
  points: SparkPoint[];
  label: string;
  summary: string;
}) {
  const theme = useTheme();
  const max = Math.max(1, ...props.points.map(p => p.latencyMs));
  const step =
    props.points.length > 1 ? (WIDTH - 2 * PAD) / (props.points.length - 1) : 0;
  const drawn = props.points.map((p, i) => ({
    x: PAD + i * step,
    y: HEIGHT - PAD - (p.latencyMs / max) * (HEIGHT - 2 * PAD),
    failed: p.failed,
  }));
  return (
    <Box display="flex" alignItems="center" style={{ gap: 8 }}>
      <svg width={WIDTH} height={HEIGHT} role="img" aria-label={props.label}>
        <polyline
          fill="none"
          stroke={theme.palette.primary.main}
          strokeWidth={1.5}
          points={drawn.map(p => `${p.x},${p.y}`).join(' ')}
        />
        {drawn
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
        {props.summary}
      </Typography>
    </Box>
  );
}

/** What a sparkline without data shows. */
export function NoSparkline() {
  return (
    <Typography variant="body2" color="textSecondary">
      —
    </Typography>
  );
}

import type { OpsHubDeployAnalytics } from '@opshub/plugin-opshub-common';
import { useTheme } from '@material-ui/core/styles';
import { LineChart, ReferenceLine, XAxis, YAxis } from 'recharts';
import { formatDuration } from '../shared/deployFormat';
import { ChartCard } from './ChartCard';

/**
 * Total time P50/P95/P99 of the window's succeeded deploys, drawn as
 * reference lines across the window's days: the backend ranks the window
 * as a whole, so there is no per-day percentile to plot.
 */
export function DeployTimeChart(props: {
  byDay: OpsHubDeployAnalytics['deploys']['byDay'];
  totalTime: OpsHubDeployAnalytics['totalTime'];
}) {
  const theme = useTheme();
  const { p50Ms, p95Ms, p99Ms } = props.totalTime;
  const lines = [
    { name: 'P50', ms: p50Ms, color: theme.palette.success.main },
    { name: 'P95', ms: p95Ms, color: theme.palette.warning.main },
    { name: 'P99', ms: p99Ms, color: theme.palette.error.main },
  ];
  const top = Math.max(...lines.map(line => line.ms ?? 0));
  return (
    <ChartCard
      title="Total time of succeeded deploys (window P50, P95, P99)"
      empty={
        p50Ms === null
          ? 'No succeeded deploy in this window: no times to rank.'
          : undefined
      }
    >
      <LineChart data={props.byDay} accessibilityLayer>
        <XAxis dataKey="date" />
        <YAxis
          type="number"
          domain={[0, Math.ceil(top * 1.2)]}
          tickFormatter={(ms: number) => formatDuration(ms)}
          width={80}
        />
        {lines.map(line =>
          line.ms === null ? null : (
            <ReferenceLine
              key={line.name}
              y={line.ms}
              stroke={line.color}
              strokeDasharray="4 4"
              // Drawn without a data series: the lines make the axis.
              ifOverflow="extendDomain"
              label={{
                value: `${line.name} ${formatDuration(line.ms)}`,
                position: 'insideTopLeft',
              }}
            />
          ),
        )}
      </LineChart>
    </ChartCard>
  );
}

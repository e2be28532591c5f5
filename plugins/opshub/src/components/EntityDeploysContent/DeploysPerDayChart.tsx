import type { OpsHubDeployAnalytics } from '@opshub/plugin-opshub-common';
import { useTheme } from '@material-ui/core/styles';
import { Bar, BarChart, Legend, Tooltip, XAxis, YAxis } from 'recharts';
import { ChartCard } from './ChartCard';
import { outcomeColors } from './deployColors';

const OUTCOMES = [
  { key: 'succeeded', name: 'Succeeded' },
  { key: 'failed', name: 'Failed' },
  { key: 'cancelled', name: 'Cancelled' },
] as const;

/** Deploys of each day of the window, stacked by outcome. */
export function DeploysPerDayChart(props: {
  byDay: OpsHubDeployAnalytics['deploys']['byDay'];
}) {
  const colors = outcomeColors(useTheme());
  return (
    <ChartCard title="Deploys per day">
      <BarChart data={props.byDay} accessibilityLayer>
        <XAxis dataKey="date" />
        <YAxis allowDecimals={false} />
        <Tooltip />
        <Legend />
        {OUTCOMES.map(outcome => (
          <Bar
            key={outcome.key}
            dataKey={outcome.key}
            name={outcome.name}
            stackId="outcome"
            fill={colors[outcome.key]}
            isAnimationActive={false}
          />
        ))}
      </BarChart>
    </ChartCard>
  );
}

import type { OpsHubDeployAnalytics } from '@opshub/plugin-opshub-common';
import { useTheme } from '@material-ui/core/styles';
import { Bar, BarChart, Legend, Tooltip, XAxis, YAxis } from 'recharts';
import { ChartCard } from './ChartCard';
import { outcomeColors } from './deployColors';

/** The window's failed deploys by error class, most first. */
export function FailuresByClassChart(props: {
  errorClasses: OpsHubDeployAnalytics['errorClasses'];
}) {
  const colors = outcomeColors(useTheme());
  return (
    <ChartCard
      title="Failures by class"
      empty={
        props.errorClasses.length === 0
          ? 'No failed deploy in this window.'
          : undefined
      }
    >
      <BarChart data={props.errorClasses} accessibilityLayer>
        <XAxis dataKey="class" />
        <YAxis allowDecimals={false} />
        <Tooltip />
        <Legend />
        <Bar
          dataKey="count"
          name="Failed deploys"
          fill={colors.failed}
          isAnimationActive={false}
        />
      </BarChart>
    </ChartCard>
  );
}

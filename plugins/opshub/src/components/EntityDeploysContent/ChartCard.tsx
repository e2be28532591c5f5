import { InfoCard } from '@backstage/core-components';
import type { ReactElement } from 'react';
import { ResponsiveContainer } from 'recharts';

export const CHART_HEIGHT = 240;

/**
 * A card holding one chart as wide as the card. The chart starts 640 px wide
 * until the browser measures the card (and stays so where nothing measures,
 * as in tests).
 */
export function ChartCard(props: {
  title: string;
  /** Shown instead of the chart when there is nothing to draw. */
  empty?: string;
  children: ReactElement;
}) {
  return (
    <InfoCard title={props.title}>
      {props.empty ?? (
        <ResponsiveContainer
          width="100%"
          height={CHART_HEIGHT}
          initialDimension={{ width: 640, height: CHART_HEIGHT }}
        >
          {props.children}
        </ResponsiveContainer>
      )}
    </InfoCard>
  );
}

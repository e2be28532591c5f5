import Button from '@material-ui/core/Button';
import ButtonGroup from '@material-ui/core/ButtonGroup';
import { LATENCY_RANGES, type LatencyRange } from './latencyRange';

/** Chooses how far back the latency column looks. */
export function LatencyRangeButtons(props: {
  range: LatencyRange;
  onChange(range: LatencyRange): void;
}) {
  return (
    <ButtonGroup size="small" color="primary" aria-label="Latency range">
      {LATENCY_RANGES.map(({ range, label }) => (
        <Button
          key={range}
          aria-pressed={props.range === range}
          variant={props.range === range ? 'contained' : 'outlined'}
          onClick={() => props.onChange(range)}
        >
          {label}
        </Button>
      ))}
    </ButtonGroup>
  );
}

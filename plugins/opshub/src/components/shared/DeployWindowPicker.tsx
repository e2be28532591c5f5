import Box from '@material-ui/core/Box';
import TextField from '@material-ui/core/TextField';
import { useId } from 'react';
import {
  type DeployWindow,
  type DeployWindowChoice,
  windowOf,
  windowProblem,
  WINDOW_PRESETS,
} from './deployWindow';

const CUSTOM = 'custom';

/**
 * A window of days to read deploys over: the last 7, 30, 90 or 365 days, or
 * custom dates (From, To; UTC days, both inclusive). Native selects and date
 * inputs, found by their labels ("Range", "From", "To").
 */
export function DeployWindowPicker(props: {
  choice: DeployWindowChoice;
  onChange: (choice: DeployWindowChoice) => void;
  now: number;
}) {
  const { choice, onChange, now } = props;
  const id = useId();
  const window = windowOf(choice, now);
  const problem = 'custom' in choice ? windowProblem(window) : undefined;
  const setDate = (part: keyof DeployWindow, value: string) =>
    onChange({ custom: { ...window, [part]: value } });

  return (
    <Box display="flex" flexWrap="wrap" style={{ gap: 16 }}>
      <TextField
        select
        id={`${id}-range`}
        label="Range"
        value={'days' in choice ? String(choice.days) : CUSTOM}
        SelectProps={{ native: true }}
        onChange={event => {
          const value = event.target.value;
          onChange(
            value === CUSTOM
              ? { custom: window }
              : { days: Number(value) as (typeof WINDOW_PRESETS)[number] },
          );
        }}
      >
        {WINDOW_PRESETS.map(days => (
          <option key={days} value={days}>
            Last {days} days
          </option>
        ))}
        <option value={CUSTOM}>Custom dates</option>
      </TextField>
      {'custom' in choice ? (
        <>
          <TextField
            type="date"
            id={`${id}-from`}
            label="From"
            value={window.from}
            InputLabelProps={{ shrink: true }}
            onChange={event => setDate('from', event.target.value)}
            error={!!problem}
          />
          <TextField
            type="date"
            id={`${id}-to`}
            label="To"
            value={window.to}
            InputLabelProps={{ shrink: true }}
            onChange={event => setDate('to', event.target.value)}
            error={!!problem}
            helperText={problem}
          />
        </>
      ) : null}
    </Box>
  );
}

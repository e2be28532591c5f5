import type { OpsHubMaintenanceWindowInput } from '@opshub/plugin-opshub-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Checkbox from '@material-ui/core/Checkbox';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import FormHelperText from '@material-ui/core/FormHelperText';
import Grid from '@material-ui/core/Grid';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { useState } from 'react';
import { messageOf } from '../health';
import {
  maintenanceInputOf,
  maintenanceProblemsOf,
  type MaintenanceForm,
  newMaintenanceForm,
  WEEKDAYS,
} from './maintenanceForm';

type TextKey = Exclude<keyof MaintenanceForm, 'kind' | 'days'>;

/**
 * Add a maintenance window: once (from a local date-time to another) or
 * weekly (on some days, from a local time for some minutes), in a time
 * zone that defaults to the browser's. The backend's refusal shows here.
 */
export function MaintenanceWindowForm(props: {
  onAdd(input: OpsHubMaintenanceWindowInput): Promise<unknown>;
}) {
  const [form, setForm] = useState<MaintenanceForm>(newMaintenanceForm);
  const [touched, setTouched] = useState(false);
  const [busy, setBusy] = useState(false);
  const [refusal, setRefusal] = useState<string | null>(null);
  const problems = maintenanceProblemsOf(form);
  const shown = (key: keyof MaintenanceForm) =>
    touched ? problems[key] : undefined;

  const field = (
    key: TextKey,
    label: string,
    options: { type?: string; helperText?: string } = {},
  ) => (
    <TextField
      id={`opshub-maintenance-${key}`}
      label={label}
      type={options.type}
      fullWidth
      margin="dense"
      InputLabelProps={options.type ? { shrink: true } : undefined}
      value={form[key]}
      error={!!shown(key)}
      helperText={shown(key) ?? options.helperText}
      onChange={e => setForm({ ...form, [key]: e.target.value })}
    />
  );

  const submit = async () => {
    setTouched(true);
    if (Object.keys(problems).length > 0) return;
    setBusy(true);
    setRefusal(null);
    try {
      await props.onAdd(maintenanceInputOf(form));
      setForm(newMaintenanceForm());
      setTouched(false);
    } catch (e) {
      setRefusal(messageOf(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Box
      component="form"
      mt={2}
      aria-label="Add a maintenance window"
      onSubmit={(event: React.FormEvent) => {
        event.preventDefault();
        submit();
      }}
    >
      <Typography variant="subtitle2">Add a window</Typography>
      <Grid container spacing={2}>
        <Grid item xs={4}>
          <TextField
            id="opshub-maintenance-kind"
            label="Repeats"
            select
            SelectProps={{ native: true }}
            fullWidth
            margin="dense"
            value={form.kind}
            onChange={e =>
              setForm({
                ...form,
                kind: e.target.value as MaintenanceForm['kind'],
              })
            }
          >
            <option value="once">Once</option>
            <option value="weekly">Weekly</option>
          </TextField>
        </Grid>
        <Grid item xs={8}>
          {field('timeZone', 'Time zone', {
            helperText: 'The local times below are in this zone',
          })}
        </Grid>
      </Grid>
      {form.kind === 'once' ? (
        <Grid container spacing={2}>
          <Grid item xs={6}>
            {field('startsAt', 'Starts at', { type: 'datetime-local' })}
          </Grid>
          <Grid item xs={6}>
            {field('endsAt', 'Ends at', { type: 'datetime-local' })}
          </Grid>
        </Grid>
      ) : (
        <>
          <Box role="group" aria-label="Days" mt={1}>
            {WEEKDAYS.map(({ day, label }) => (
              <FormControlLabel
                key={day}
                label={label}
                control={
                  <Checkbox
                    size="small"
                    checked={form.days.includes(day)}
                    onChange={e =>
                      setForm({
                        ...form,
                        days: e.target.checked
                          ? [...form.days, day]
                          : form.days.filter(d => d !== day),
                      })
                    }
                  />
                }
              />
            ))}
            {shown('days') ? (
              <FormHelperText error>{shown('days')}</FormHelperText>
            ) : null}
          </Box>
          <Grid container spacing={2}>
            <Grid item xs={6}>
              {field('startTime', 'Start time', { type: 'time' })}
            </Grid>
            <Grid item xs={6}>
              {field('durationMinutes', 'Duration (minutes)')}
            </Grid>
          </Grid>
        </>
      )}
      {field('reason', 'Reason', { helperText: 'Optional' })}
      {refusal ? (
        <Typography role="alert" color="error" variant="body2">
          {refusal}
        </Typography>
      ) : null}
      <Box mt={1}>
        <Button
          type="submit"
          color="primary"
          variant="outlined"
          disabled={busy}
        >
          Add window
        </Button>
      </Box>
    </Box>
  );
}

import type {
  OpsHubHealthCheck,
  OpsHubHealthCheckInput,
  OpsHubHealthCheckMethod,
} from '@opshub/plugin-opshub-common';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import Grid from '@material-ui/core/Grid';
import Switch from '@material-ui/core/Switch';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { useState } from 'react';
import { messageOf } from './health';
import {
  changesOf,
  formOf,
  type HealthCheckForm as Form,
  inputOf,
  NEW_CHECK,
  problemsOf,
} from './healthCheckForm';
import { HeadersField } from './HeadersField';

/**
 * Add a health check, or (with `existing`) change one: only the changed
 * fields are sent. The backend's refusal (a 400's reason, say an interval
 * below the minimum) shows in the dialog, which stays open.
 */
export function HealthCheckDialog(props: {
  existing?: OpsHubHealthCheck;
  onClose(): void;
  onCreate(input: OpsHubHealthCheckInput): Promise<unknown>;
  onUpdate(
    check: OpsHubHealthCheck,
    changes: Partial<OpsHubHealthCheckInput>,
  ): Promise<unknown>;
}) {
  const { existing } = props;
  const [form, setForm] = useState<Form>(
    existing ? formOf(existing) : NEW_CHECK,
  );
  const [touched, setTouched] = useState(false);
  const [busy, setBusy] = useState(false);
  const [refusal, setRefusal] = useState<string | null>(null);
  const problems = problemsOf(form);
  const valid = Object.keys(problems).length === 0;
  const shown = (key: keyof Form) =>
    touched || JSON.stringify(form[key]) !== JSON.stringify(NEW_CHECK[key])
      ? problems[key]
      : undefined;

  const field = (
    key: Exclude<keyof Form, 'method' | 'enabled' | 'headers'>,
    label: string,
    helperText?: string,
  ) => (
    <TextField
      id={`opshub-health-${key}`}
      label={label}
      fullWidth
      margin="dense"
      value={form[key]}
      error={!!shown(key)}
      helperText={shown(key) ?? helperText}
      onChange={e => setForm({ ...form, [key]: e.target.value })}
    />
  );

  const submit = async () => {
    setTouched(true);
    if (!valid) return;
    setBusy(true);
    setRefusal(null);
    try {
      const input = inputOf(form);
      if (existing) {
        const changes = changesOf(existing, input);
        if (Object.keys(changes).length > 0) {
          await props.onUpdate(existing, changes);
        }
      } else {
        await props.onCreate(input);
      }
      props.onClose();
    } catch (e) {
      setRefusal(messageOf(e));
      setBusy(false);
    }
  };

  return (
    <Dialog
      open
      onClose={props.onClose}
      aria-labelledby="opshub-health-dialog"
      maxWidth="sm"
      fullWidth
    >
      <form
        onSubmit={event => {
          event.preventDefault();
          submit();
        }}
      >
        <DialogTitle id="opshub-health-dialog">
          {existing ? `Edit ${existing.name}` : 'Add a health check'}
        </DialogTitle>
        <DialogContent>
          {field('name', 'Name', 'Such as API')}
          {field('url', 'URL', 'http or https; probed directly, no proxy')}
          <Grid container spacing={2}>
            <Grid item xs={4}>
              <TextField
                id="opshub-health-method"
                label="Method"
                select
                SelectProps={{ native: true }}
                fullWidth
                margin="dense"
                value={form.method}
                onChange={e =>
                  setForm({
                    ...form,
                    method: e.target.value as OpsHubHealthCheckMethod,
                  })
                }
              >
                <option value="GET">GET</option>
                <option value="HEAD">HEAD</option>
              </TextField>
            </Grid>
            <Grid item xs={8}>
              {field(
                'expectedStatus',
                'Expected status',
                'Ranges and lists, such as 200-299 or 200,204,301-302',
              )}
            </Grid>
          </Grid>
          {field('bodyContains', 'Body contains', 'Optional')}
          <Grid container spacing={2}>
            <Grid item xs={6}>
              {field('jsonPath', 'JSON path', 'Optional, such as $.status')}
            </Grid>
            <Grid item xs={6}>
              {field('jsonEquals', 'Equals', 'JSON (true, 42, "ok") or text')}
            </Grid>
          </Grid>
          <Grid container spacing={2}>
            <Grid item xs={6}>
              {field('timeoutMs', 'Timeout (ms)')}
            </Grid>
            <Grid item xs={6}>
              {field('intervalMs', 'Interval (ms)')}
            </Grid>
            <Grid item xs={4}>
              {field(
                'degradedLatencyMs',
                'Degraded latency (ms)',
                'Slower is degraded; empty: never',
              )}
            </Grid>
            <Grid item xs={4}>
              {field(
                'failureThreshold',
                'Failure threshold',
                'Failures in a row before down',
              )}
            </Grid>
            <Grid item xs={4}>
              {field(
                'recoveryThreshold',
                'Recovery threshold',
                'Successes in a row before ok',
              )}
            </Grid>
          </Grid>
          <HeadersField
            rows={form.headers}
            problem={shown('headers')}
            onChange={headers => setForm({ ...form, headers })}
          />
          <Grid container spacing={2}>
            <Grid item xs={4}>
              {field(
                'certExpiryDays',
                'Certificate expiry (days)',
                'https: degraded this close to expiry; empty: not checked',
              )}
            </Grid>
            <Grid item xs={4}>
              {field(
                'alertCooldownMinutes',
                'Alert cooldown (minutes)',
                'At most one alert this often, unless it gets worse',
              )}
            </Grid>
            <Grid item xs={4}>
              {field(
                'reminderIntervalHours',
                'Reminder interval (hours)',
                'Reminds while degraded or down; 0: never',
              )}
            </Grid>
          </Grid>
          <FormControlLabel
            control={
              <Switch
                checked={form.enabled}
                onChange={e => setForm({ ...form, enabled: e.target.checked })}
                inputProps={{ 'aria-label': 'Enabled' }}
              />
            }
            label="Enabled"
          />
          {refusal ? (
            <Typography role="alert" color="error" variant="body2">
              {refusal}
            </Typography>
          ) : null}
        </DialogContent>
        <DialogActions>
          <Button onClick={props.onClose}>Cancel</Button>
          <Button
            type="submit"
            color="primary"
            variant="contained"
            disabled={busy || (touched && !valid)}
          >
            Save
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}

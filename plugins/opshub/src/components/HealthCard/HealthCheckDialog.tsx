import type {
  OpsHubHealthCheck,
  OpsHubHealthCheckInput,
  OpsHubHealthCheckMethod,
  OpsHubJsonPathAssertion,
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

/** The form's fields, as typed. */
interface Form {
  name: string;
  url: string;
  method: OpsHubHealthCheckMethod;
  expectedStatus: string;
  bodyContains: string;
  jsonPath: string;
  jsonEquals: string;
  timeoutMs: string;
  intervalMs: string;
  degradedLatencyMs: string;
  failureThreshold: string;
  recoveryThreshold: string;
  enabled: boolean;
}

/** The backend's defaults, for a new check. */
const NEW_CHECK: Form = {
  name: '',
  url: '',
  method: 'GET',
  expectedStatus: '200-299',
  bodyContains: '',
  jsonPath: '',
  jsonEquals: '',
  timeoutMs: '10000',
  intervalMs: '60000',
  degradedLatencyMs: '',
  failureThreshold: '3',
  recoveryThreshold: '2',
  enabled: true,
};

function formOf(check: OpsHubHealthCheck): Form {
  return {
    name: check.name,
    url: check.url,
    method: check.method,
    expectedStatus: check.expectedStatus,
    bodyContains: check.bodyContains ?? '',
    jsonPath: check.jsonPath?.path ?? '',
    jsonEquals: check.jsonPath ? JSON.stringify(check.jsonPath.equals) : '',
    timeoutMs: String(check.timeoutMs),
    intervalMs: String(check.intervalMs),
    degradedLatencyMs:
      check.degradedLatencyMs === null ? '' : String(check.degradedLatencyMs),
    failureThreshold: String(check.failureThreshold),
    recoveryThreshold: String(check.recoveryThreshold),
    enabled: check.enabled,
  };
}

/**
 * What the JSON value must equal: typed JSON (`true`, `42`, `"42"`, `null`)
 * as itself, any other text as a string.
 */
function equalsOf(text: string): OpsHubJsonPathAssertion['equals'] {
  try {
    const value: unknown = JSON.parse(text);
    if (
      value === null ||
      ['string', 'number', 'boolean'].includes(typeof value)
    ) {
      return value as OpsHubJsonPathAssertion['equals'];
    }
  } catch {
    // Not JSON: the text itself.
  }
  return text;
}

const isCount = (text: string) => /^[1-9]\d*$/.test(text.trim());

/** Why each field cannot be sent, if it cannot. */
function problemsOf(form: Form): Partial<Record<keyof Form, string>> {
  const problems: Partial<Record<keyof Form, string>> = {};
  if (!form.name.trim()) problems.name = 'Required';
  let url: URL | undefined;
  try {
    url = new URL(form.url.trim());
  } catch {
    // Reported below.
  }
  if (!url || !['http:', 'https:'].includes(url.protocol)) {
    problems.url = 'An http or https URL';
  }
  if (!form.expectedStatus.trim()) problems.expectedStatus = 'Required';
  if (form.jsonPath.trim() && !form.jsonEquals.trim()) {
    problems.jsonEquals = 'The value the path must equal';
  }
  if (!form.jsonPath.trim() && form.jsonEquals.trim()) {
    problems.jsonPath = 'A path such as $.status';
  }
  for (const key of [
    'timeoutMs',
    'intervalMs',
    'failureThreshold',
    'recoveryThreshold',
  ] as const) {
    if (!isCount(form[key])) problems[key] = 'A whole number above 0';
  }
  if (form.degradedLatencyMs.trim() && !isCount(form.degradedLatencyMs)) {
    problems.degradedLatencyMs = 'A whole number above 0, or empty';
  }
  return problems;
}

/** The check the form describes, every duration in milliseconds. */
function inputOf(form: Form): OpsHubHealthCheckInput {
  return {
    name: form.name.trim(),
    url: form.url.trim(),
    method: form.method,
    expectedStatus: form.expectedStatus.trim(),
    bodyContains: form.bodyContains || null,
    jsonPath: form.jsonPath.trim()
      ? { path: form.jsonPath.trim(), equals: equalsOf(form.jsonEquals.trim()) }
      : null,
    timeoutMs: Number(form.timeoutMs),
    intervalMs: Number(form.intervalMs),
    degradedLatencyMs: form.degradedLatencyMs.trim()
      ? Number(form.degradedLatencyMs)
      : null,
    failureThreshold: Number(form.failureThreshold),
    recoveryThreshold: Number(form.recoveryThreshold),
    enabled: form.enabled,
  };
}

/** The fields of `next` that differ from `existing`'s. */
function changesOf(
  existing: OpsHubHealthCheck,
  next: OpsHubHealthCheckInput,
): Partial<OpsHubHealthCheckInput> {
  const changes: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(next)) {
    const before = existing[key as keyof OpsHubHealthCheckInput] ?? null;
    if (JSON.stringify(before) !== JSON.stringify(value)) {
      changes[key] = value;
    }
  }
  return changes as Partial<OpsHubHealthCheckInput>;
}

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
    touched || form[key] !== NEW_CHECK[key] ? problems[key] : undefined;

  const field = (
    key: Exclude<keyof Form, 'method' | 'enabled'>,
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

import type { OpsHubEnvVar } from '@opshub/plugin-opshub-common';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import Switch from '@material-ui/core/Switch';
import TextField from '@material-ui/core/TextField';
import { useState } from 'react';
import type { OpsHubEnvVarKey } from '../../api/OpsHubApi';
import { byteLength, ENV_VAR_NAME, labelOf, MAX_VALUE_BYTES } from './envVars';

/** What the dialog saves. */
export interface EnvVarChange {
  key: OpsHubEnvVarKey;
  value: string;
  sensitive: boolean;
  comment?: string;
}

/**
 * Add a variable to `environment`, or (with `existing`) give it a new value.
 * The value field starts empty: the dialog never holds a stored value. Once a
 * variable is sensitive it stays so; preview variables may name a branch
 * override.
 */
export function EnvVarDialog(props: {
  environment: string;
  existing?: OpsHubEnvVar;
  onClose(): void;
  onSave(change: EnvVarChange): Promise<boolean>;
}) {
  const { environment, existing } = props;
  const [name, setName] = useState(existing?.name ?? '');
  const [value, setValue] = useState('');
  const [sensitive, setSensitive] = useState(existing?.sensitive ?? false);
  const [branch, setBranch] = useState(existing?.branch ?? '');
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);

  const nameError =
    name !== '' && !ENV_VAR_NAME.test(name)
      ? 'Upper-case letters, digits and _, not starting with a digit'
      : null;
  const valueError =
    byteLength(value) > MAX_VALUE_BYTES ? 'At most 64 KiB' : null;
  const valid = name !== '' && !nameError && !valueError;
  const title = existing
    ? `Edit ${labelOf(existing)} in ${environment}`
    : `Add a variable to ${environment}`;

  return (
    <Dialog open onClose={props.onClose} aria-labelledby="opshub-envvar-dialog">
      <form
        onSubmit={async event => {
          event.preventDefault();
          setBusy(true);
          const saved = await props.onSave({
            key: {
              environment,
              name,
              branch: environment === 'preview' && branch ? branch : null,
            },
            value,
            sensitive,
            ...(comment.trim() && { comment: comment.trim() }),
          });
          setBusy(false);
          if (saved) props.onClose();
        }}
      >
        <DialogTitle id="opshub-envvar-dialog">{title}</DialogTitle>
        <DialogContent>
          <TextField
            id="opshub-envvar-name"
            label="Name"
            fullWidth
            margin="dense"
            value={name}
            disabled={!!existing}
            error={!!nameError}
            helperText={nameError ?? 'Such as API_URL'}
            onChange={e => setName(e.target.value)}
          />
          <TextField
            id="opshub-envvar-value"
            label={existing ? 'New value' : 'Value'}
            fullWidth
            multiline
            margin="dense"
            autoComplete="off"
            value={value}
            error={!!valueError}
            helperText={valueError ?? undefined}
            onChange={e => setValue(e.target.value)}
          />
          {environment === 'preview' ? (
            <TextField
              id="opshub-envvar-branch"
              label="Branch override"
              fullWidth
              margin="dense"
              value={branch}
              disabled={!!existing}
              helperText="Only for this branch's previews; empty for all"
              onChange={e => setBranch(e.target.value)}
            />
          ) : null}
          <TextField
            id="opshub-envvar-comment"
            label="Comment"
            fullWidth
            margin="dense"
            value={comment}
            helperText="Kept with this version"
            onChange={e => setComment(e.target.value)}
          />
          <FormControlLabel
            control={
              <Switch
                checked={sensitive}
                disabled={existing?.sensitive === true}
                onChange={e => setSensitive(e.target.checked)}
                inputProps={{ 'aria-label': 'Sensitive' }}
              />
            }
            label={
              existing?.sensitive
                ? 'Sensitive (it stays so: never revealed or exported)'
                : 'Sensitive: never revealed or exported, and it cannot be undone'
            }
          />
        </DialogContent>
        <DialogActions>
          <Button onClick={props.onClose}>Cancel</Button>
          <Button
            type="submit"
            color="primary"
            variant="contained"
            disabled={busy || !valid}
          >
            Save
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}

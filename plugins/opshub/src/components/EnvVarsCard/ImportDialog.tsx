import { useApi, alertApiRef } from '@backstage/core-plugin-api';
import type { CompoundEntityRef } from '@backstage/catalog-model';
import type { OpsHubEnvVarImportResult } from '@opshub/plugin-opshub-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { useState } from 'react';
import { opshubApiRef } from '../../api/OpsHubApi';
import { byteLength, MAX_IMPORT_BYTES } from './envVars';

/**
 * Import a `.env` text (pasted or from a file) into one environment: a dry
 * run first, which shows what would change and every bad line; the import
 * itself only once the dry run of exactly this text found none.
 */
export function ImportDialog(props: {
  entityRef: CompoundEntityRef;
  environment: string;
  onClose(): void;
  onImported(): void;
}) {
  const { entityRef, environment } = props;
  const api = useApi(opshubApiRef);
  const alertApi = useApi(alertApiRef);
  const [text, setText] = useState('');
  const [checked, setChecked] = useState<{
    text: string;
    result: OpsHubEnvVarImportResult;
  } | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const tooLarge = byteLength(text) > MAX_IMPORT_BYTES;
  const result = checked?.text === text ? checked.result : null;

  const run = async (dryRun: boolean) => {
    setBusy(true);
    setError(null);
    try {
      const outcome = await api.importEnvVars(entityRef, environment, text, {
        dryRun,
      });
      if (dryRun) {
        setChecked({ text, result: outcome });
      } else {
        alertApi.post({
          message: `Imported into ${environment}: ${outcome.created} created, ${outcome.updated} updated, ${outcome.unchanged} unchanged`,
          severity: 'success',
          display: 'transient',
        });
        props.onImported();
        props.onClose();
      }
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog
      open
      onClose={props.onClose}
      aria-labelledby="opshub-envvar-import"
      fullWidth
      maxWidth="md"
    >
      <DialogTitle id="opshub-envvar-import">
        Import a .env file into {environment}
      </DialogTitle>
      <DialogContent>
        <Button variant="outlined" component="label" size="small">
          Choose a file
          <input
            type="file"
            hidden
            accept=".env,text/plain"
            data-testid="opshub-envvar-import-file"
            onChange={async e => {
              const file = e.target.files?.[0];
              if (file) setText(await file.text());
            }}
          />
        </Button>
        <TextField
          id="opshub-envvar-import-text"
          label=".env contents"
          placeholder={'API_URL=https://api.example.com\nLOG_LEVEL=info'}
          fullWidth
          multiline
          minRows={8}
          margin="dense"
          autoComplete="off"
          value={text}
          error={tooLarge}
          helperText={tooLarge ? 'At most 1 MiB' : undefined}
          onChange={e => setText(e.target.value)}
          inputProps={{ spellCheck: false }}
        />
        {result ? (
          <Box mt={1} role="status" aria-label="Dry run">
            <Typography variant="body2">
              Dry run: {result.created} to create, {result.updated} to update,{' '}
              {result.unchanged} unchanged.
            </Typography>
            {result.errors.length > 0 ? (
              <>
                <Typography variant="body2" color="error">
                  Fix these lines first; nothing is imported while any is bad:
                </Typography>
                <ul>
                  {result.errors.map(lineError => (
                    <li key={`${lineError.line}:${lineError.name}`}>
                      <Typography variant="body2" color="error">
                        line {lineError.line}
                        {lineError.name ? ` (${lineError.name})` : ''}:{' '}
                        {lineError.reason}
                      </Typography>
                    </li>
                  ))}
                </ul>
              </>
            ) : null}
          </Box>
        ) : null}
        {error ? (
          <Typography variant="body2" color="error" role="alert">
            {error}
          </Typography>
        ) : null}
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onClose}>Cancel</Button>
        <Button
          onClick={() => run(true)}
          disabled={busy || text.trim() === '' || tooLarge}
        >
          Check
        </Button>
        <Button
          color="primary"
          variant="contained"
          onClick={() => run(false)}
          disabled={busy || !result || result.errors.length > 0}
        >
          Import
        </Button>
      </DialogActions>
    </Dialog>
  );
}

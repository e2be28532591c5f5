import type { OpsHubEnvVar } from '@opshub/plugin-opshub-common';
import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
import IconButton from '@material-ui/core/IconButton';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Tooltip from '@material-ui/core/Tooltip';
import DeleteIcon from '@material-ui/icons/Delete';
import EditIcon from '@material-ui/icons/Edit';
import HistoryIcon from '@material-ui/icons/History';
import VisibilityIcon from '@material-ui/icons/Visibility';
import VisibilityOffIcon from '@material-ui/icons/VisibilityOff';
import { idOf, keyOf, labelOf } from './envVars';

/** One environment's variables: masked values unless revealed. */
export function EnvVarsTable(props: {
  vars: OpsHubEnvVar[];
  environment: string;
  canReveal: boolean;
  canWrite: boolean;
  revealed: Record<string, string>;
  onReveal(v: OpsHubEnvVar): void;
  onHide(v: OpsHubEnvVar): void;
  onEdit(v: OpsHubEnvVar): void;
  onDelete(v: OpsHubEnvVar): void;
  onVersions(v: OpsHubEnvVar): void;
}) {
  if (props.vars.length === 0) {
    return <Box p={2}>No variables in {props.environment} yet.</Box>;
  }
  return (
    <Table size="small" aria-label={`Variables of ${props.environment}`}>
      <TableHead>
        <TableRow>
          <TableCell>Name</TableCell>
          <TableCell>Value</TableCell>
          <TableCell>Branch</TableCell>
          <TableCell>Version</TableCell>
          <TableCell>Updated</TableCell>
          <TableCell />
        </TableRow>
      </TableHead>
      <TableBody>
        {props.vars.map(v => {
          const label = labelOf(keyOf(v));
          const plain = props.revealed[idOf(keyOf(v))];
          return (
            <TableRow key={idOf(keyOf(v))} data-testid={`envvar-${label}`}>
              <TableCell>
                <code>{v.name}</code>
                {v.sensitive ? (
                  <Box component="span" ml={1}>
                    <Chip label="sensitive" size="small" />
                  </Box>
                ) : null}
              </TableCell>
              <TableCell>
                <code
                  aria-label={`Value of ${label}`}
                  style={{ wordBreak: 'break-all' }}
                >
                  {plain ?? v.value}
                </code>
              </TableCell>
              <TableCell>{v.branch ?? '—'}</TableCell>
              <TableCell>{v.version}</TableCell>
              <TableCell>
                {v.updatedBy}
                <br />
                {new Date(v.updatedAt).toLocaleString()}
              </TableCell>
              <TableCell align="right" style={{ whiteSpace: 'nowrap' }}>
                {props.canReveal && !v.sensitive ? (
                  <RevealButton
                    label={label}
                    revealed={plain !== undefined}
                    onReveal={() => props.onReveal(v)}
                    onHide={() => props.onHide(v)}
                  />
                ) : null}
                <IconButton
                  size="small"
                  aria-label={`Versions of ${label}`}
                  onClick={() => props.onVersions(v)}
                >
                  <HistoryIcon fontSize="small" />
                </IconButton>
                {props.canWrite ? (
                  <>
                    <IconButton
                      size="small"
                      aria-label={`Edit ${label}`}
                      onClick={() => props.onEdit(v)}
                    >
                      <EditIcon fontSize="small" />
                    </IconButton>
                    <IconButton
                      size="small"
                      aria-label={`Delete ${label}`}
                      onClick={() => props.onDelete(v)}
                    >
                      <DeleteIcon fontSize="small" />
                    </IconButton>
                  </>
                ) : null}
              </TableCell>
            </TableRow>
          );
        })}
      </TableBody>
    </Table>
  );
}

function RevealButton(props: {
  label: string;
  revealed: boolean;
  onReveal(): void;
  onHide(): void;
}) {
  if (props.revealed) {
    return (
      <IconButton
        size="small"
        aria-label={`Hide ${props.label}`}
        onClick={props.onHide}
      >
        <VisibilityOffIcon fontSize="small" />
      </IconButton>
    );
  }
  return (
    <Tooltip title="Reveal (audited)">
      <IconButton
        size="small"
        aria-label={`Reveal ${props.label}`}
        onClick={props.onReveal}
      >
        <VisibilityIcon fontSize="small" />
      </IconButton>
    </Tooltip>
  );
}

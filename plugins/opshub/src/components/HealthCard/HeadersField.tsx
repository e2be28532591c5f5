import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import IconButton from '@material-ui/core/IconButton';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import DeleteIcon from '@material-ui/icons/Delete';
import type { HeaderRow } from './healthCheckForm';

/**
 * A check's request headers as name/value rows, with the rule for secret
 * headers: their value references an encrypted variable of the entity.
 */
export function HeadersField(props: {
  rows: HeaderRow[];
  problem?: string;
  onChange(rows: HeaderRow[]): void;
}) {
  const { rows, onChange } = props;
  const set = (index: number, row: HeaderRow) =>
    onChange(rows.map((r, i) => (i === index ? row : r)));
  return (
    <Box mt={2}>
      <Typography variant="subtitle2">Request headers</Typography>
      <Typography variant="caption" color="textSecondary" component="p">
        Secret headers (Authorization, Cookie, tokens, keys) must reference an
        encrypted variable of the entity, such as{' '}
        <code>{'Bearer ${env:API_TOKEN}'}</code> (its production value).
      </Typography>
      {rows.map((row, index) => (
        <Box key={index} display="flex" alignItems="center" style={{ gap: 8 }}>
          <TextField
            id={`opshub-health-header-${index}-name`}
            label={`Header ${index + 1} name`}
            margin="dense"
            value={row.name}
            onChange={e => set(index, { ...row, name: e.target.value })}
          />
          <TextField
            id={`opshub-health-header-${index}-value`}
            label={`Header ${index + 1} value`}
            margin="dense"
            fullWidth
            value={row.value}
            onChange={e => set(index, { ...row, value: e.target.value })}
          />
          <IconButton
            size="small"
            aria-label={`Remove header ${index + 1}`}
            onClick={() => onChange(rows.filter((_, i) => i !== index))}
          >
            <DeleteIcon fontSize="small" />
          </IconButton>
        </Box>
      ))}
      {props.problem ? (
        <Typography variant="caption" color="error" component="p">
          {props.problem}
        </Typography>
      ) : null}
      <Button
        size="small"
        onClick={() => onChange([...rows, { name: '', value: '' }])}
      >
        Add header
      </Button>
    </Box>
  );
}

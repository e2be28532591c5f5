import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import Typography from '@material-ui/core/Typography';
import type { ReactNode } from 'react';

/** "Delete …?" with what deleting does, Cancel and Delete. */
export function ConfirmDeleteDialog(props: {
  /** For the dialog's accessible name. */
  id: string;
  title: ReactNode;
  /** What deleting it does, in a sentence. */
  consequence: ReactNode;
  onCancel(): void;
  onDelete(): void;
}) {
  return (
    <Dialog open onClose={props.onCancel} aria-labelledby={props.id}>
      <DialogTitle id={props.id}>{props.title}</DialogTitle>
      <DialogContent>
        <Typography variant="body2">{props.consequence}</Typography>
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onCancel}>Cancel</Button>
        <Button color="secondary" variant="contained" onClick={props.onDelete}>
          Delete
        </Button>
      </DialogActions>
    </Dialog>
  );
}

import type { OpsHubDoraRatings } from '@opshub/plugin-opshub-common';
import Box from '@material-ui/core/Box';
import Tooltip from '@material-ui/core/Tooltip';
import { DoraRatingChip } from './DoraRatingChip';
import { DORA_KEYS, DORA_LABELS } from './doraText';

/**
 * An entity's four DORA ratings as compact chips ("DF elite"), each named
 * in full for screen readers and in a tooltip on hover or focus.
 */
export function DoraRatingsCell(props: { ratings: OpsHubDoraRatings }) {
  return (
    <Box display="flex" flexWrap="wrap" style={{ gap: 4 }}>
      {DORA_KEYS.map(key => {
        const rating = props.ratings[key];
        const { name, short } = DORA_LABELS[key];
        const full = `${name}: ${rating ?? 'not rated'}`;
        return (
          <Tooltip key={key} title={full}>
            <span>
              <DoraRatingChip
                rating={rating}
                label={`${short} ${rating ?? '—'}`}
                aria-label={full}
                tabIndex={0}
              />
            </span>
          </Tooltip>
        );
      })}
    </Box>
  );
}

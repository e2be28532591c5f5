import type {
  OpsHubDoraMetrics,
  OpsHubDoraRatings,
} from '@opshub/plugin-opshub-common';

/** DORA's keys of an entity without a production deploy. */
export const noDoraMetrics: OpsHubDoraMetrics = {
  deploymentFrequency: {
    medianDeployDaysPerWeek: null,
    medianDeployDaysPerMonth: null,
    deploys: 0,
    rating: null,
    reason: 'no-deploys',
  },
  leadTimeForChanges: {
    medianHours: null,
    changes: 0,
    rating: null,
    reason: 'no-deployed-changes',
  },
  changeFailureRate: {
    value: null,
    failedDeploys: 0,
    deploys: 0,
    rating: null,
    reason: 'no-deploys',
  },
  recoveryTime: {
    medianHours: null,
    incidents: 0,
    rating: null,
    reason: 'no-recovered-incidents',
  },
};

/** The ratings of such an entity. */
export const noDoraRatings: OpsHubDoraRatings = {
  deploymentFrequency: null,
  leadTimeForChanges: null,
  changeFailureRate: null,
  recoveryTime: null,
};

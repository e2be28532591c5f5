import type { OpsHubDoraMetrics } from '@opshub/plugin-opshub-common';
import { deployWindow, utcDayOf } from '../metrics/deployWindow';
import { attributeIncidents } from './attributeIncidents';
import { medianDeployDays } from './deployDays';
import {
  rateChangeFailureRate,
  rateDeploymentFrequency,
  rateLeadTime,
  rateRecoveryTime,
} from './doraRatings';
import { lowerMedian } from './lowerMedian';
import type { DoraInputs, DoraWindow } from './types';

const HOUR_MS = 3_600_000;

/**
 * DORA's four keys over the window from its inputs (one entity, or a set
 * of them counted together; incidents still go to their own entity's
 * deploys). Medians are lower medians, as DevLake's dashboard takes them.
 */
export function computeDora(
  inputs: DoraInputs,
  window: DoraWindow,
): OpsHubDoraMetrics {
  const { startMs, endMs, days } = deployWindow(window.from, window.to);
  const inWindow = (ms: number) => ms >= startMs && ms < endMs;
  const deploys = inputs.deploys.filter(d => inWindow(d.finishedAtMs));
  const attributed = attributeIncidents(inputs.deploys, inputs.incidents);

  return {
    deploymentFrequency: deploymentFrequency(deploys, days),
    leadTimeForChanges: leadTimeForChanges(inputs),
    changeFailureRate: changeFailureRate(deploys, attributed),
    recoveryTime: recoveryTime(deploys, attributed, endMs),
  };
}

type Deploy = DoraInputs['deploys'][number];
type Attributed = ReturnType<typeof attributeIncidents>;

function deploymentFrequency(
  deploys: readonly Deploy[],
  windowDays: readonly string[],
): OpsHubDoraMetrics['deploymentFrequency'] {
  if (deploys.length === 0) {
    return {
      medianDeployDaysPerWeek: null,
      medianDeployDaysPerMonth: null,
      deploys: 0,
      rating: null,
      reason: 'no-deploys',
    };
  }
  const deployDays = new Set(deploys.map(d => utcDayOf(d.finishedAtMs)));
  const { perWeek, perMonth } = medianDeployDays(windowDays, deployDays);
  return {
    medianDeployDaysPerWeek: perWeek,
    medianDeployDaysPerMonth: perMonth,
    deploys: deploys.length,
    rating: rateDeploymentFrequency(perWeek, perMonth),
    reason: null,
  };
}

/**
 * First commit → first deploy; an author date after the deploy (a clock
 * that was wrong) counts as no time rather than a negative one.
 */
function leadTimeForChanges(
  inputs: DoraInputs,
): OpsHubDoraMetrics['leadTimeForChanges'] {
  const changes = inputs.changes.length;
  if (!inputs.githubCommitsReadable) {
    return unavailableLeadTime(changes, 'no-github-credentials');
  }
  const medianHours = lowerMedian(
    inputs.changes.map(c =>
      Math.max(0, (c.deployedAtMs - c.firstCommitAtMs) / HOUR_MS),
    ),
  );
  if (medianHours === null) {
    return unavailableLeadTime(0, 'no-deployed-changes');
  }
  return {
    medianHours,
    changes,
    rating: rateLeadTime(medianHours),
    reason: null,
  };
}

function unavailableLeadTime(
  changes: number,
  reason: 'no-github-credentials' | 'no-deployed-changes',
): OpsHubDoraMetrics['leadTimeForChanges'] {
  return { medianHours: null, changes, rating: null, reason };
}

function changeFailureRate(
  deploys: readonly Deploy[],
  attributed: Attributed,
): OpsHubDoraMetrics['changeFailureRate'] {
  const failedDeploys = deploys.filter(d => attributed.has(d.id)).length;
  if (deploys.length === 0) {
    return {
      value: null,
      failedDeploys: 0,
      deploys: 0,
      rating: null,
      reason: 'no-deploys',
    };
  }
  const value = failedDeploys / deploys.length;
  return {
    value,
    failedDeploys,
    deploys: deploys.length,
    rating: rateChangeFailureRate(value),
    reason: null,
  };
}

/**
 * Incidents attributed to the window's deploys and closed within the
 * window, as DevLake's dashboard counts them (its incidents are filtered
 * by resolution date): closed − the deploy's finish.
 */
function recoveryTime(
  deploys: readonly Deploy[],
  attributed: Attributed,
  windowEndMs: number,
): OpsHubDoraMetrics['recoveryTime'] {
  const hours = deploys.flatMap(deploy =>
    (attributed.get(deploy.id) ?? [])
      .filter(i => i.closedAtMs !== null && i.closedAtMs < windowEndMs)
      .map(i => (i.closedAtMs! - deploy.finishedAtMs) / HOUR_MS),
  );
  const medianHours = lowerMedian(hours);
  if (medianHours === null) {
    return {
      medianHours: null,
      incidents: 0,
      rating: null,
      reason: 'no-recovered-incidents',
    };
  }
  return {
    medianHours,
    incidents: hours.length,
    rating: rateRecoveryTime(medianHours),
    reason: null,
  };
}

import type { Config } from '@backstage/config';

/** Where GitHub's deliveries come from (`opshub.github.webhookSource`). */
export type WebhookSource = 'repository' | 'organization' | 'app';

/** The events OpsHub's repository webhook subscribes to. */
export const OPSHUB_WEBHOOK_EVENTS = [
  'pull_request',
  'deployment',
  'deployment_status',
];

/**
 * The URL OpsHub receives GitHub deliveries at:
 * `<opshub.publicBaseUrl, default backend.baseUrl>/api/opshub/webhooks/github`.
 */
export function webhookTargetUrl(config: Config): string {
  const base =
    config.getOptionalString('opshub.publicBaseUrl') ??
    config.getString('backend.baseUrl');
  return `${base.replace(/\/+$/, '')}/api/opshub/webhooks/github`;
}

/** `opshub.github.webhookSource`, `repository` when unset. */
export function webhookSource(config: Config): WebhookSource {
  return (config.getOptionalString('opshub.github.webhookSource') ??
    'repository') as WebhookSource;
}

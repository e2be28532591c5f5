import type { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';

interface ScopedSecret {
  secret: string;
  owners: string[];
  repositories: string[];
}

/**
 * The secret a repository's (`owner/name`) OpsHub webhook signs with, from
 * `opshub.github`: an `additionalWebhookSecrets` entry scoped to the
 * repository, else one scoped to its owner, else `webhookSecret` (names
 * compared case-insensitively, as OpsHub verifies deliveries). Unscoped
 * additional secrets (being rotated out) are never chosen. Throws
 * InputError, naming no secret, when none applies.
 */
export function webhookSecretFor(config: Config, repository: string): string {
  const [owner] = repository.toLowerCase().split('/');
  const scoped = readScopedSecrets(config);
  const found =
    scoped.find(s => s.repositories.includes(repository.toLowerCase())) ??
    scoped.find(s => s.owners.includes(owner));
  const secret =
    found?.secret ?? config.getOptionalString('opshub.github.webhookSecret');
  if (!secret) {
    throw new InputError(
      `No webhook secret for ${repository}: set opshub.github.webhookSecret or an opshub.github.additionalWebhookSecrets entry scoped to it`,
    );
  }
  return secret;
}

/** Scoped `additionalWebhookSecrets` entries; plain strings are unscoped. */
function readScopedSecrets(config: Config): ScopedSecret[] {
  const entries =
    config.getOptional<unknown[]>('opshub.github.additionalWebhookSecrets') ??
    [];
  const names = (value: unknown) =>
    Array.isArray(value) ? value.map(n => String(n).toLowerCase()) : [];
  return entries.flatMap(entry => {
    if (typeof entry !== 'object' || entry === null) return [];
    const { secret, owners, repositories } = entry as Record<string, unknown>;
    if (typeof secret !== 'string' || !secret) return [];
    if (owners === undefined && repositories === undefined) return [];
    return [
      { secret, owners: names(owners), repositories: names(repositories) },
    ];
  });
}

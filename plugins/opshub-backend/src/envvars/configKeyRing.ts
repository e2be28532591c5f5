import type { Config } from '@backstage/config';
import type {
  OpsHubEncryptionKey,
  OpsHubEncryptionKeyRing,
} from '@opshub/plugin-opshub-node';

const KEY = 'opshub.encryption.keys';
const ID = /^[A-Za-z0-9_.-]{1,64}$/;
/** Standard base64 of exactly 32 bytes: 43 characters and one `=`. */
const SECRET = /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/;

/**
 * Reads `opshub.encryption.keys` (`[{ id, secret }]`, the first active).
 * An entry with neither id nor secret (e.g. `${OPSHUB_ENCRYPTION_KEY_ID}`
 * and `${OPSHUB_ENCRYPTION_KEY}` both unset) is no key. Refuses, with every
 * problem at once, malformed ids or secrets and duplicate ids; the message
 * names ids (or positions, when the id itself is malformed) and never a
 * secret.
 */
export function readEncryptionKeys(
  opshub: Config | undefined,
): OpsHubEncryptionKey[] {
  const raw = opshub?.getOptional('encryption.keys');
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) {
    throw new Error(`${KEY} must be a list of { id, secret }`);
  }
  const problems: string[] = [];
  const keys: OpsHubEncryptionKey[] = [];
  const seen = new Set<string>();
  raw.forEach((entry, i) => {
    const at = `${KEY}[${i}]`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      problems.push(`${at} must be { id, secret }`);
      return;
    }
    const { id, secret, ...rest } = entry as Record<string, unknown>;
    const absent = (v: unknown) => v === undefined || v === null || v === '';
    if (Object.keys(rest).length > 0) {
      problems.push(
        `${at} has unknown keys ${Object.keys(rest).join(
          ', ',
        )}; it takes id and secret`,
      );
      return;
    }
    if (absent(id) && absent(secret)) return;
    if (typeof id !== 'string' || !ID.test(id)) {
      // The id is not echoed: it may be a secret pasted into the wrong field.
      problems.push(
        `${at}.id must be 1 to 64 letters, digits, '_', '.' or '-'`,
      );
      return;
    }
    const named = `key '${id}' (${at})`;
    if (seen.has(id)) {
      problems.push(`${named}: the id '${id}' appears more than once`);
      return;
    }
    seen.add(id);
    if (typeof secret !== 'string' || !SECRET.test(secret)) {
      problems.push(
        `${named}: secret must be the base64 of exactly 32 random bytes (e.g. openssl rand -base64 32)`,
      );
      return;
    }
    keys.push({ id, material: Buffer.from(secret, 'base64') });
  });
  if (problems.length > 0) {
    throw new Error(`Invalid ${KEY}: ${problems.join('; ')}`);
  }
  return keys;
}

/** The built-in key ring: the configured keys, the first active. */
export class ConfigKeyRing implements OpsHubEncryptionKeyRing {
  private readonly byId: Map<string, OpsHubEncryptionKey>;

  constructor(private readonly keys: OpsHubEncryptionKey[]) {
    this.byId = new Map(keys.map(k => [k.id, k]));
    if (this.byId.size !== keys.length) {
      throw new Error(`${KEY} names a key id more than once`);
    }
  }

  async activeKey() {
    return this.keys[0];
  }

  async key(id: string) {
    return this.byId.get(id);
  }

  async keyIds() {
    return this.keys.map(k => k.id);
  }
}

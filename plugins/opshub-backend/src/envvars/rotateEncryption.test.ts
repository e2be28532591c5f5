import { mockServices } from '@backstage/backend-test-utils';
import { ConflictError, ServiceUnavailableError } from '@backstage/errors';
import type { Knex } from 'knex';
import { randomBytes } from 'node:crypto';
import { migrateUp } from '../database/migrations';
import { DatabaseJobStore } from '../queue/DatabaseJobStore';
import { JobQueue } from '../queue/JobQueue';
import { createTestDatabases } from '../__testUtils__/databases';
import { waitFor } from '../__testUtils__/waitFor';
import { AesGcmCipher } from './aesGcmCipher';
import { ConfigKeyRing } from './configKeyRing';
import type { EnvVarBinding, EnvVarCipher } from './EnvVarCipher';
import {
  assertStoredKeysPresent,
  countValuesByKey,
  EncryptionRotation,
  ENVVAR_ROTATE_JOB,
  rotateEncryptionHandler,
} from './rotateEncryption';

jest.setTimeout(120_000);

const databases = createTestDatabases();
const A = { id: 'key-a', material: randomBytes(32) };
const B = { id: 'key-b', material: randomBytes(32) };
const C = { id: 'key-c', material: randomBytes(32) };
const ring = (...keys: (typeof A)[]) => new ConfigKeyRing(keys);

type Row = EnvVarBinding & { value: string };

/** Current values (with their versions) and a delete, sealed by `cipher`. */
async function seed(knex: Knex, cipher: EnvVarCipher): Promise<Row[]> {
  const now = new Date();
  const rows: Row[] = [];
  const variables = [
    ['component:default/storefront', 'production', null, 'DATABASE_URL'],
    ['component:default/storefront', 'preview', 'feature/x', 'DATABASE_URL'],
    ['component:default/storefront', 'development', null, 'API_TOKEN'],
    ['component:default/billing', 'production', null, 'STRIPE_KEY'],
  ] as const;
  for (const [entityRef, environment, branch, name] of variables) {
    for (const version of [1, 2]) {
      const binding = { entityRef, environment, branch, name, version };
      const value = `${name}-${environment}-${branch}-v${version}-secret`;
      const sealed = await cipher.seal(value, binding);
      const columns = {
        entity_ref: entityRef,
        environment,
        branch: branch ?? '',
        name,
        version,
        sensitive: false,
        ciphertext: sealed.ciphertext,
        iv: sealed.iv,
        tag: sealed.tag,
        key_id: sealed.keyId,
      };
      await knex('env_var_versions').insert({
        ...columns,
        deleted: false,
        actor: 'user:default/alice',
        created_at: now,
      });
      rows.push({ ...binding, value });
      if (version === 2) {
        await knex('env_vars').insert({
          ...columns,
          updated_by: 'user:default/alice',
          updated_at: now,
        });
      }
    }
  }
  // A deleted variable's last version holds no value.
  await knex('env_var_versions').insert({
    entity_ref: 'component:default/billing',
    environment: 'production',
    branch: '',
    name: 'STRIPE_KEY',
    version: 3,
    deleted: true,
    actor: 'user:default/alice',
    created_at: now,
  });
  return rows;
}

/** Opens every stored value (both tables) with `cipher`. */
async function openAll(knex: Knex, cipher: EnvVarCipher) {
  const opened: string[] = [];
  for (const table of ['env_vars', 'env_var_versions']) {
    const rows = await knex(table).whereNotNull('key_id').orderBy('id');
    for (const row of rows) {
      opened.push(
        await cipher.open(
          {
            ciphertext: row.ciphertext,
            iv: row.iv,
            tag: row.tag,
            keyId: row.key_id,
          },
          {
            entityRef: row.entity_ref,
            environment: row.environment,
            branch: row.branch === '' ? null : row.branch,
            name: row.name,
            version: Number(row.version),
          },
        ),
      );
    }
  }
  return opened.sort();
}

const expectedValues = (rows: Row[]) =>
  [
    ...rows.map(r => r.value),
    ...rows.filter(r => r.version === 2).map(r => r.value),
  ].sort();

describe.each(databases.eachSupportedId())('encryption keys on %s', id => {
  const queues: JobQueue[] = [];
  const stores: DatabaseJobStore[] = [];
  afterEach(async () => {
    await Promise.all(queues.splice(0).map(q => q.stop()));
    await Promise.all(stores.splice(0).map(s => s.close()));
  });

  async function setup() {
    const knex = await databases.init(id);
    await migrateUp(knex);
    const store = new DatabaseJobStore(knex);
    stores.push(store);
    return { knex, store };
  }

  /** A queue that runs only the rotation, as a freshly started instance. */
  function startQueue(
    knex: Knex,
    store: DatabaseJobStore,
    keys: ConfigKeyRing,
    options: { batchSize: number; cipher?: EnvVarCipher },
  ) {
    const queue = new JobQueue(store, mockServices.logger.mock(), {
      pollIntervalMs: 50,
      leaseMs: 5_000,
      recoveryIntervalMs: 100,
      shutdownGraceMs: 10_000,
    });
    queues.push(queue);
    queue.register(
      ENVVAR_ROTATE_JOB,
      rotateEncryptionHandler({
        knex,
        ring: keys,
        cipher: options.cipher ?? new AesGcmCipher(keys),
        batchSize: options.batchSize,
      }),
    );
    queue.start();
    return queue;
  }

  it('refuses startup for stored values under a key id the ring lacks', async () => {
    const { knex } = await setup();
    // Nothing stored: any ring will do, an empty one included.
    await assertStoredKeysPresent(knex, ring());
    await seed(knex, new AesGcmCipher(ring(A)));
    await knex('env_var_versions')
      .where({ version: 1, name: 'API_TOKEN' })
      .update({ key_id: 'key-old' });
    await assertStoredKeysPresent(knex, ring(B, A, { ...C, id: 'key-old' }));

    await expect(assertStoredKeysPresent(knex, ring(B, A))).rejects.toThrow(
      /under key id 'key-old', which the encryption key ring lacks \(it holds 'key-b', 'key-a'\)/,
    );
    const error = await assertStoredKeysPresent(knex, ring(B)).catch(e => e);
    expect(error.message).toMatch(/key ids 'key-a', 'key-old'/);
    expect(error.message).not.toContain(B.material.toString('base64'));
    await expect(assertStoredKeysPresent(knex, ring())).rejects.toThrow(
      /key ids 'key-a', 'key-old', which the encryption key ring lacks \(it holds no key\)/,
    );
  });

  it('rotates every value and version, surviving a restart, then again', async () => {
    const { knex, store } = await setup();
    const rows = await seed(knex, new AesGcmCipher(ring(A)));
    const total = rows.length + rows.length / 2;
    expect(await countValuesByKey(knex)).toEqual({ 'key-a': total });

    // B becomes active; A stays to decrypt until the rotation is done.
    const ab = ring(B, A);
    const rotation = new EncryptionRotation({ knex, ring: ab, queue: store });
    expect(await rotation.status()).toEqual({
      activeKeyId: 'key-b',
      values: { 'key-a': total },
    });
    const { jobId } = await rotation.request('user:default/root');
    await expect(rotation.request('user:default/root')).rejects.toThrow(
      ConflictError,
    );
    const job = await store.getJob(jobId);
    expect(job).toMatchObject({
      type: ENVVAR_ROTATE_JOB,
      key: 'envvar-rotate',
      group: 'envvar-rotate',
      state: 'queued',
    });
    // The payload holds no value.
    const payload = JSON.stringify(job!.payload);
    for (const row of rows) expect(payload).not.toContain(row.value);

    // The first instance stops after one batch of 2 (its last seal asks
    // the queue to stop; the batch still commits).
    let first: JobQueue | undefined = undefined;
    let stopped: Promise<void> | undefined = undefined;
    let seals = 0;
    const real = new AesGcmCipher(ab);
    const stopping: EnvVarCipher = {
      configured: () => real.configured(),
      open: (sealed, binding) => real.open(sealed, binding),
      async seal(plaintext, binding) {
        const sealed = await real.seal(plaintext, binding);
        if (++seals === 2) stopped = first!.stop();
        return sealed;
      },
    };
    first = startQueue(knex, store, ab, { batchSize: 2, cipher: stopping });
    // (Wrapped: waitFor would await the promise itself.)
    const { stop } = await waitFor(() => stopped && { stop: stopped }, {
      what: 'the first batch',
    });
    await stop;
    expect(await countValuesByKey(knex)).toEqual({
      'key-a': total - 2,
      'key-b': 2,
    });
    expect(await store.getJob(jobId)).toMatchObject({ state: 'queued' });
    await expect(rotation.request('user:default/root')).rejects.toThrow(
      ConflictError,
    );

    // The restart: a new instance continues where the first stopped.
    startQueue(knex, store, ab, { batchSize: 2 });
    await waitFor(
      async () => (await store.getJob(jobId))?.state === 'succeeded',
      { what: 'the rotation' },
    );
    expect(await store.getJob(jobId)).toMatchObject({ attempts: 1 });
    expect(await countValuesByKey(knex)).toEqual({ 'key-b': total });
    // Only B is needed now: A can go.
    await assertStoredKeysPresent(knex, ring(B));
    expect(await openAll(knex, new AesGcmCipher(ring(B)))).toEqual(
      expectedValues(rows),
    );

    // Rotate again, to C.
    await Promise.all(queues.splice(0).map(q => q.stop()));
    const cb = ring(C, B);
    const again = new EncryptionRotation({ knex, ring: cb, queue: store });
    const second = await again.request('user:default/root');
    expect(second.jobId).not.toBe(jobId);
    startQueue(knex, store, cb, { batchSize: 3 });
    await waitFor(
      async () => (await store.getJob(second.jobId))?.state === 'succeeded',
      { what: 'the second rotation' },
    );
    expect(await again.status()).toEqual({
      activeKeyId: 'key-c',
      values: { 'key-c': total },
    });
    await expect(assertStoredKeysPresent(knex, ring(B))).rejects.toThrow(
      /'key-c'/,
    );
    await assertStoredKeysPresent(knex, ring(C));
    expect(await openAll(knex, new AesGcmCipher(ring(C)))).toEqual(
      expectedValues(rows),
    );
  });

  it('leaves a value written meanwhile alone', async () => {
    const { knex } = await setup();
    await seed(knex, new AesGcmCipher(ring(A)));
    const ab = ring(B, A);
    const cipher = new AesGcmCipher(ab);
    // Between reading and writing the batch, a current value changes.
    let changed = false;
    const racing: EnvVarCipher = {
      configured: () => cipher.configured(),
      open: (s, b) => cipher.open(s, b),
      async seal(plaintext, binding) {
        if (!changed && binding.name === 'DATABASE_URL') {
          changed = true;
          const next = { ...binding, version: 3 };
          const sealed = await cipher.seal('new value', next);
          await knex('env_vars')
            .where({
              entity_ref: binding.entityRef,
              environment: binding.environment,
              branch: binding.branch ?? '',
              name: binding.name,
            })
            .update({
              version: 3,
              ciphertext: sealed.ciphertext,
              iv: sealed.iv,
              tag: sealed.tag,
              key_id: sealed.keyId,
            });
        }
        return cipher.seal(plaintext, binding);
      },
    };
    const handler = rotateEncryptionHandler({
      knex,
      ring: ab,
      cipher: racing,
      batchSize: 100,
    });
    const signal = new AbortController().signal;
    const run = () => handler({ job: {} as any, signal });
    expect(await run()).toEqual({ rescheduleInMs: 0 });
    expect(await run()).toBeUndefined();
    expect(await countValuesByKey(knex)).toEqual({ 'key-b': 12 });
    const current = await knex('env_vars').where({ version: 3 }).first();
    expect(
      await cipher.open(
        {
          ciphertext: current.ciphertext,
          iv: current.iv,
          tag: current.tag,
          keyId: current.key_id,
        },
        {
          entityRef: current.entity_ref,
          environment: current.environment,
          branch: current.branch || null,
          name: current.name,
          version: 3,
        },
      ),
    ).toBe('new value');
  });

  it('fails for good, naming the row and no value, on a value it cannot open', async () => {
    const { knex } = await setup();
    const rows = await seed(knex, new AesGcmCipher(ring(A)));
    await knex('env_var_versions')
      .where({ name: 'API_TOKEN', version: 1 })
      .update({ name: 'API_TOKEN_MOVED' });
    const ab = ring(B, A);
    const handler = rotateEncryptionHandler({
      knex,
      ring: ab,
      cipher: new AesGcmCipher(ab),
      batchSize: 100,
    });
    const error = await handler({
      job: {} as any,
      signal: new AbortController().signal,
    }).catch(e => e);
    expect(error.name).toBe('JobPermanentError');
    expect(error.message).toMatch(
      /env_var_versions row \d+ \(key 'key-a'\) could not be decrypted/,
    );
    for (const row of rows) expect(error.message).not.toContain(row.value);
  });

  it('refuses a rotation without a key (503) and counts nothing', async () => {
    const { knex, store } = await setup();
    const rotation = new EncryptionRotation({
      knex,
      ring: ring(),
      queue: store,
    });
    expect(await rotation.status()).toEqual({ activeKeyId: null, values: {} });
    await expect(rotation.request('user:default/root')).rejects.toThrow(
      ServiceUnavailableError,
    );
  });
});

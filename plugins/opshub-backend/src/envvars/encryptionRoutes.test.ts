import {
  createBackendModule,
  type ServiceFactory,
} from '@backstage/backend-plugin-api';
import { OPSHUB_INSTALLATION_REF } from '@opshub/plugin-opshub-common';
import {
  opshubEncryptionKeysExtensionPoint,
  type OpsHubEncryptionKeyRing,
} from '@opshub/plugin-opshub-node';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { migrateUp } from '../database/migrations';
import { DatabaseJobStore } from '../queue/DatabaseJobStore';
import { DatabaseRoleAssignmentStore } from '../rbac/DatabaseRoleAssignmentStore';
import { createTestDatabases } from '../__testUtils__/databases';
import { as, startRbacBackend } from '../__testUtils__/rbacBackend';
import { waitFor } from '../__testUtils__/waitFor';
import { AesGcmCipher } from './aesGcmCipher';
import { ConfigKeyRing } from './configKeyRing';
import { ENVVAR_ROTATE_JOB } from './rotateEncryption';

jest.setTimeout(120_000);

const databases = createTestDatabases();
const key = (id: string) => ({ id, material: randomBytes(32) });
const configKey = (k: { id: string; material: Buffer }) => ({
  id: k.id,
  secret: k.material.toString('base64'),
});
const ROOT = as('user:default/root');

/** A module that sets the key ring, as a KMS-backed one would. */
const ringModule = (moduleId: string, ring: OpsHubEncryptionKeyRing) =>
  createBackendModule({
    pluginId: 'opshub',
    moduleId,
    register(env) {
      env.registerInit({
        deps: { keys: opshubEncryptionKeysExtensionPoint },
        async init({ keys }) {
          keys.setKeyRing(ring);
        },
      });
    },
  }) as unknown as ServiceFactory;

describe.each(databases.eachSupportedId())('encryption routes on %s', id => {
  async function setup() {
    const knex = await databases.init(id);
    await migrateUp(knex);
    await new DatabaseRoleAssignmentStore(knex).add({
      entityRef: OPSHUB_INSTALLATION_REF,
      subjectRef: 'user:default/root',
      role: 'owner',
      createdBy: 'test',
    });
    return knex;
  }

  /** A current value sealed under `k`. */
  async function storeValue(
    knex: Awaited<ReturnType<typeof setup>>,
    k: { id: string; material: Buffer },
  ) {
    const binding = {
      entityRef: 'component:default/storefront',
      environment: 'production',
      branch: null,
      name: 'API_TOKEN',
      version: 1,
    };
    const sealed = await new AesGcmCipher(new ConfigKeyRing([k])).seal(
      'value-that-must-not-leak',
      binding,
    );
    const columns = {
      entity_ref: binding.entityRef,
      environment: binding.environment,
      branch: '',
      name: binding.name,
      version: 1,
      ciphertext: sealed.ciphertext,
      iv: sealed.iv,
      tag: sealed.tag,
      key_id: sealed.keyId,
    };
    const now = new Date();
    await knex('env_vars').insert({
      ...columns,
      updated_by: 'user:default/root',
      updated_at: now,
    });
    await knex('env_var_versions').insert({
      ...columns,
      actor: 'user:default/root',
      created_at: now,
    });
  }

  it('counts values per key, rotates (202), and refuses a second rotation while one waits (409)', async () => {
    const knex = await setup();
    const a = key('key-a');
    const b = key('key-b');
    await storeValue(knex, a);
    const server = await startRbacBackend({
      knex,
      opshub: { encryption: { keys: [b, a].map(configKey) } },
    });
    const status = await request(server)
      .get('/api/opshub/org/encryption')
      .set(ROOT);
    expect(status.status).toBe(200);
    expect(status.body).toEqual({
      activeKeyId: 'key-b',
      values: { 'key-a': 2 },
    });

    const rotated = await request(server)
      .post('/api/opshub/org/encryption/rotate')
      .set(ROOT);
    expect(rotated.status).toBe(202);
    expect(rotated.body).toEqual({ jobId: expect.any(String) });
    await waitFor(
      async () =>
        (
          await request(server).get('/api/opshub/org/encryption').set(ROOT)
        ).body.values['key-b'] === 2,
      { what: 'the rotation' },
    );
    const jobs = new DatabaseJobStore(knex);
    await waitFor(
      async () =>
        (await jobs.getJob(rotated.body.jobId))?.state === 'succeeded',
    );

    // A rotation waiting (here: scheduled later) refuses another.
    const waiting = await jobs.enqueue(knex, {
      type: ENVVAR_ROTATE_JOB,
      key: 'envvar-rotate',
      group: 'envvar-rotate',
      payload: {},
      runAt: new Date(Date.now() + 3600_000),
    });
    const conflict = await request(server)
      .post('/api/opshub/org/encryption/rotate')
      .set(ROOT);
    expect(conflict.status).toBe(409);
    expect(conflict.body.error.message).toContain(`job ${waiting}`);
    await jobs.close();
  });

  it('answers 503 without a key, and the rest of OpsHub works', async () => {
    const knex = await setup();
    const server = await startRbacBackend({ knex });
    const status = await request(server)
      .get('/api/opshub/org/encryption')
      .set(ROOT);
    expect(status.body).toEqual({ activeKeyId: null, values: {} });
    const rotate = await request(server)
      .post('/api/opshub/org/encryption/rotate')
      .set(ROOT);
    expect(rotate.status).toBe(503);
    expect(rotate.body.error.message).toMatch(/opshub\.encryption\.keys/);
    expect(
      (await request(server).get('/api/opshub/org/assignments').set(ROOT))
        .status,
    ).toBe(200);
  });

  it('refuses to start with stored values under a key the ring lacks, naming the ids', async () => {
    const knex = await setup();
    const a = key('key-a');
    const b = key('key-b');
    await storeValue(knex, a);
    for (const keys of [[b], []]) {
      const error = await startRbacBackend({
        knex,
        opshub: { encryption: { keys: keys.map(configKey) } },
      }).catch(e => e as Error);
      expect(error).toBeInstanceOf(Error);
      expect(String(error)).toMatch(
        /key id 'key-a', which the encryption key ring lacks/,
      );
      expect(String(error)).not.toContain(b.material.toString('base64'));
      expect(String(error)).not.toContain('value-that-must-not-leak');
    }
  });

  it('refuses to start with a malformed key, naming its id and not its secret', async () => {
    const knex = await setup();
    const secret = randomBytes(24).toString('base64');
    const error = await startRbacBackend({
      knex,
      opshub: { encryption: { keys: [{ id: 'short', secret }] } },
    }).catch(e => e as Error);
    expect(String(error)).toMatch(/key 'short'/);
    expect(String(error)).not.toContain(secret);
  });

  it("takes a module's key ring over the config, and refuses a second one", async () => {
    const knex = await setup();
    const a = key('kms-a');
    await storeValue(knex, a);
    const server = await startRbacBackend({
      knex,
      extra: [ringModule('kms', new ConfigKeyRing([a]))],
    });
    const status = await request(server)
      .get('/api/opshub/org/encryption')
      .set(ROOT);
    expect(status.body).toEqual({
      activeKeyId: 'kms-a',
      values: { 'kms-a': 2 },
    });

    const twice = await startRbacBackend({
      knex,
      extra: [
        ringModule('kms', new ConfigKeyRing([a])),
        ringModule('kms-2', new ConfigKeyRing([a])),
      ],
    }).catch(e => e as Error);
    expect(String(twice)).toMatch(/key ring is already set/);
  });
});

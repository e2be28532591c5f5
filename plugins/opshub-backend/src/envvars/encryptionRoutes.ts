import {
  OPSHUB_INSTALLATION_REF,
  opshubAdminPermission,
} from '@opshub/plugin-opshub-common';
import Router from 'express-promise-router';
import type { Audited } from '../activity/audited';
import { actorRefOf, type ProjectAuthorizer } from '../rbac/ProjectAuthorizer';
import type { EncryptionRotation } from './rotateEncryption';

/**
 * Encryption of environment variables, for org owners (`opshub.admin`):
 * how many values each key holds, and the re-encryption of all of them
 * under the active key.
 */
export function encryptionRoutes(deps: {
  authorizer: ProjectAuthorizer;
  audited: Audited;
  rotation: EncryptionRotation;
}) {
  const { authorizer, audited, rotation } = deps;
  const router = Router();

  router.get('/org/encryption', async (req, res) => {
    await authorizer.authorize(req, opshubAdminPermission);
    res.json(await rotation.status());
  });

  router.post('/org/encryption/rotate', async (req, res) => {
    const credentials = await authorizer.authorize(req, opshubAdminPermission);
    const actorRef = actorRefOf(credentials);
    const result = await audited(
      req,
      {
        entityRef: OPSHUB_INSTALLATION_REF,
        actorRef,
        action: 'encryption-rotate',
        describe: r => ({ jobId: r.jobId }),
      },
      () => rotation.request(actorRef),
    );
    res.status(202).json(result);
  });

  return router;
}

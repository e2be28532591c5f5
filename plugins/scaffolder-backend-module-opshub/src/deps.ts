import type {
  AuthService,
  DiscoveryService,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';

/** What OpsHub's scaffolder actions are built with (the module's services). */
export interface OpsHubActionDeps {
  config: Config;
  permissions: PermissionsService;
  auth: AuthService;
  discovery: DiscoveryService;
  logger: LoggerService;
}

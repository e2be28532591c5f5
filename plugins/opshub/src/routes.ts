import { createRouteRef } from '@backstage/frontend-plugin-api';

/** The `/opshub` administration page (new frontend system). */
export const adminPageRouteRef = createRouteRef();

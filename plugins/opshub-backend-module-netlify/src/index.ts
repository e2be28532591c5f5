/**
 * OpsHub preview environments on Netlify: a branch deploy of each pull
 * request's head on the site named by the entity's `netlify.com/site-id`
 * annotation, deleted when the pull request closes.
 *
 * @packageDocumentation
 */

export {
  opshubModuleNetlify as default,
  opshubModuleNetlify,
  opshubModuleNetlifyErrorCodes,
  opshubModuleNetlifyProvider,
} from './module';
export { NETLIFY_ERROR_CODES } from './errorCodes';
export {
  NetlifyPreviewProvider,
  NETLIFY_SITE_ID_ANNOTATION,
  type NetlifyPreviewProviderOptions,
} from './NetlifyPreviewProvider';

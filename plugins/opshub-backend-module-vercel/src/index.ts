/**
 * OpsHub preview provider for Vercel.
 *
 * @packageDocumentation
 */

export {
  opshubModuleVercel as default,
  opshubModuleVercel,
  opshubModuleVercelErrorCodes,
  opshubModuleVercelProvider,
} from './module';
export { VERCEL_ERROR_CODES } from './errorCodes';
export {
  VERCEL_PROJECT_ANNOTATION,
  VercelPreviewProvider,
  type VercelPreviewProviderOptions,
} from './VercelPreviewProvider';

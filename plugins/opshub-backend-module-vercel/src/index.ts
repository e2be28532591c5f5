/**
 * OpsHub preview provider for Vercel.
 *
 * @packageDocumentation
 */

export { opshubModuleVercelProvider as default } from './module';
export {
  VERCEL_PROJECT_ANNOTATION,
  VercelPreviewProvider,
  type VercelPreviewProviderOptions,
} from './VercelPreviewProvider';

/**
 * Extension points for modules that extend the OpsHub backend plugin.
 *
 * @packageDocumentation
 */

export * from './summary';
export * from './encryptionKeys';
export * from './previewProviders';
export * from './deployErrorCodes';
export * from './callTimeouts';
export * from './providerApiCalls';
export * from './createPreviewProviderModule';
export * from './repositoryLink';
export * from './githubClients';

/**
 * Test helpers for OpsHub backend modules.
 *
 * @packageDocumentation
 */

export * from './startFakeProviderApi';
export * from './startPreviewTestBackend';
export * from './startFakeGithub';
export * from './startFakeSlack';
export * from './recordingOpsHubPlugin';

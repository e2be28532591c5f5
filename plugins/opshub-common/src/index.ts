/**
 * Types, catalog annotations and schemas shared by the OpsHub plugins.
 *
 * @packageDocumentation
 */

export * from './analytics';
export * from './annotations';
export * from './api';
export * from './health';
export * from './parseAnnotations';
export * from './permissions';
export * from './roles';
export * from './types';

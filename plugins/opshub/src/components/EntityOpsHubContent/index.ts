export { EntityOpsHubContent } from './EntityOpsHubContent';

export { OpsHubPage } from './OpsHubPage';

export { EntityDeploysContent } from './EntityDeploysContent';

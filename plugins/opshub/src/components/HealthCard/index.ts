export { HealthCard } from './HealthCard';
export { EntityHealthCard } from './EntityHealthCard';

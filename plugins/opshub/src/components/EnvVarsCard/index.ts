export { EnvVarsCard } from './EnvVarsCard';

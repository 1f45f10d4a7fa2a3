export { sharedDataDir, readJsonl } from './shared-data';

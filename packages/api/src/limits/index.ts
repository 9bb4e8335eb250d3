// Limits shared by every process on one database: the submit permit, the provider gate and the fair shares.
export { clearSharedHalts, SharedLimits } from './shared-limits.ts';

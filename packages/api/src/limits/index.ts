// Limits shared by every process on one database: the submit permit, the provider gate and the fair shares.
export { clearSharedHalts, SharedLimits, type SharedLimitsOptions } from './shared-limits.ts';
export { decidePermit, fairShare, type PermitFacts } from './decide.ts';

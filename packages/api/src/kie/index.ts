// The real KIE HTTP client (KieGateway), its pure parsers and the callback signature helpers.
export { createKieHttpGateway, type KieHttpGatewayOptions } from './client.ts';
export { parseKieCallback, parseRetryAfter, parseRecord, recordToStatus, type KieCallbackParse } from './parse.ts';
export { buildCreateTaskBody, type ResolvedPrompt } from './request.ts';
export { signKieWebhook, verifyKieWebhook, KIE_WEBHOOK_HEADERS, WebhookReplayCache, type VerifyKieWebhookInput, type VerifyKieWebhookResult } from './webhook.ts';
export type { KieRecord } from './wire.ts';
export { FAMILY_ADAPTERS, type FamilyAdapter } from './families.ts';
export { veoRecordToStatus } from './veo.ts';

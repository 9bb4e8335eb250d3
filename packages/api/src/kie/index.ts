// The real KIE HTTP client (KieGateway), its pure parsers and the callback signature helpers.
export { createKieHttpGateway } from './client.ts';
export { parseKieCallback } from './parse.ts';
export { signKieWebhook, verifyKieWebhook, KIE_WEBHOOK_HEADERS, WebhookReplayCache } from './webhook.ts';

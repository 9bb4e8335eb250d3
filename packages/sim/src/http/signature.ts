import { createHmac } from 'node:crypto';

/** KIE's (unconfirmed) callback signature: base64(HMAC-SHA256(`taskId.timestamp`, key)). */
export function signCallback(taskId: string, timestamp: string, webhookKey: string): string {
  return createHmac('sha256', webhookKey).update(`${taskId}.${timestamp}`).digest('base64');
}

/** Why the operator was sent back to sign in (shown once on the sign-in page). */
let reason: string | null = null;

export function setSignOutReason(message: string | null): void {
  reason = message;
}

export function takeSignOutReason(): string | null {
  const r = reason;
  reason = null;
  return r;
}

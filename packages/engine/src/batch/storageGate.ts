/**
 * Whether the host can make the engine's facts durable. Beside the provider gate: while the store cannot be
 * written, nothing is admitted or submitted (an attempt must be recorded before createTask, a remote id before
 * the engine acts on it), tasks already running keep being watched, and admission resumes when writes succeed.
 * A storage failure is the host's trouble, not the provider's: it never feeds degradation.
 */
export class StorageGate {
  private down: { since: number; message: string } | null = null;

  get isOpen(): boolean {
    return this.down === null;
  }

  /** Closes the gate; true when it was open. */
  close(now: number, message: string): boolean {
    if (this.down) return false;
    this.down = { since: now, message };
    return true;
  }

  /** Opens the gate; how long it was closed, or null when it was open. */
  open(now: number): number | null {
    if (!this.down) return null;
    const downMs = now - this.down.since;
    this.down = null;
    return downMs;
  }
}

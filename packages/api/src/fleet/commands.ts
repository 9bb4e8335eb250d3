import { ConfigError, type Supervisor } from '@clipfleet/engine';
import type { FleetCommand } from '../cluster/commands.ts';
import type { Db } from '../db/database.ts';
import { findBatch } from '../store/batches.ts';
import { factRowsOfBatch, taskSpecOf } from './hydrate.ts';

export interface CommandHost {
  db: Db;
  supervisor: Supervisor;
  /** Hydrates batches from their stored facts (see startFleet). */
  adopt(scope: { userId: string; batchIds: string[] }): Promise<void>;
  opened(userId: string, batchId: string): void;
}

/**
 * Carries out one command for a user this process owns. Each is idempotent, since delivery is at least once: a
 * batch the supervisor knows is not added again, and one that already ran somewhere (any attempt recorded) is
 * hydrated, never added fresh, so nothing is submitted twice; pause, resume and cancel of a batch in that state
 * already change nothing.
 */
export async function carryOut(command: FleetCommand, userId: string, host: CommandHost): Promise<void> {
  const { supervisor } = host;
  switch (command.kind) {
    case 'addBatch': {
      if (supervisor.batchProgress(command.batchId)) return;
      const batch = await findBatch(host.db, userId, command.batchId);
      if (!batch || batch.finished_at !== null) return;
      const tasks = await factRowsOfBatch(host.db, batch.id);
      const pristine = tasks.every((t) => t.state === 'queued' && t.attempts === 0 && t.remote_task_id === null);
      if (pristine && (batch.state === 'active' || batch.state === 'paused')) {
        supervisor.addBatch({ batchId: batch.id, userId, tasks: tasks.map(taskSpecOf), paused: batch.state === 'paused' });
        host.opened(userId, batch.id);
      } else await host.adopt({ userId, batchIds: [batch.id] });
      return;
    }
    case 'pauseBatch':
      return supervisor.pauseBatch(command.batchId);
    case 'resumeBatch':
      return supervisor.resumeBatch(command.batchId);
    case 'cancelBatch':
      return supervisor.cancelBatch(command.batchId);
    case 'retryFailed':
      supervisor.retryFailed(command.batchId);
      return;
    case 'cancelTask':
      return supervisor.cancelTask(command.taskId);
    case 'callback':
      return supervisor.deliverCallback(command.remoteTaskId, command.status, command.verified, command.accountId);
    case 'setPlan':
      try {
        supervisor.setUserPlan(userId, command.planId);
      } catch (err) {
        // A plan removed from the configuration since: the user stays on the one in force.
        if (!(err instanceof ConfigError)) throw err;
        console.error(`fleet: plan ${command.planId} of user ${userId} not applied: ${err.message}`);
      }
      return;
  }
}

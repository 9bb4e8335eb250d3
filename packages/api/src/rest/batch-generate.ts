import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { createBatch } from '../batches/create.ts';
import { BatchRowsInput } from '../batches/input.ts';
import type { AppDeps } from '../deps.ts';
import { invalid } from '../errors.ts';
import { requireUser } from '../http/auth.ts';
import { formatZodMessage } from '../trpc/format.ts';

/** The seed's body: the batch input plus `generationType` ("video"; "image" was the old behaviour). */
const SeedBody = BatchRowsInput.extend({ generationType: z.string().optional() });

/**
 * The seed's REST route, kept for compatibility: `POST /api/v1/workflow/batch-generate`. Same validation,
 * pricing and reservation as `batch.create`.
 */
export function registerBatchGenerateRoute(app: FastifyInstance, deps: AppDeps): void {
  app.post('/api/v1/workflow/batch-generate', async (req, reply) => {
    const user = await requireUser(deps, req);
    const body = req.body as Record<string, unknown> | null;
    if (body && typeof body === 'object' && body.generationType === 'image') {
      throw invalid('generationType: "image" is not supported: ClipFleet generates videos (use "video", the default)');
    }
    const parsed = SeedBody.safeParse(body);
    if (!parsed.success) throw invalid(formatZodMessage(parsed.error));
    if (parsed.data.generationType !== undefined && parsed.data.generationType !== 'video') {
      throw invalid(`generationType: unknown value "${parsed.data.generationType}" (use "video")`);
    }
    return reply.code(200).send({ success: true, ...(await createBatch(deps, user.id, parsed.data)) });
  });
}

import type { ProviderFamily } from '@clipfleet/engine';
import type { JobClass } from './profiles/latency.ts';
import type { Timeline } from './timeline.ts';
import type { CreateTaskBody } from './validate.ts';

/** How a job ends at KIE. */
export type JobOutcome = { kind: 'success' } | { kind: 'fail'; failCode: string; failMsg: string };

/** What a create request decides, apart from its prompt. */
type ShapeFields = Omit<CreateTaskBody, 'prompt' | 'raw'>;

/**
 * What every job created from the same kind of request shares (model, class, callback URLs, the echoed request
 * with the prompt cut out), interned once: a job then holds only its prompt, which its creator holds anyway.
 */
interface RequestShape {
  fields: ShapeFields;
  job: JobClass;
  /** The request's JSON around the prompt: param = before + JSON.stringify(prompt) + after. */
  before: string;
  /** null when the prompt could not be cut out: `before` is then the whole param. */
  after: string | null;
}

/** The simulator's record of one job: numbers plus shared pieces (about 150 bytes), for every job it ever created. */
export class SimJob {
  readonly visibleAt: number;
  queuedAt: number;
  generatingAt: number;
  completeAt: number;
  /** When generation would have finished had it not failed: progress of a failed task is frozen relative to it. */
  readonly plannedCompleteAt: number;
  outcome: JobOutcome;
  queries = 0;
  /** The echoed request while the job runs (queries come often then); rebuilt from the shape once it ended. */
  private paramWhileRunning: string | null;

  constructor(
    readonly taskId: string,
    readonly account: string,
    /** The attempt's identity (`<engine task id>#<attempt>` in-process): keys the job's seeded streams. */
    readonly key: string,
    private readonly shape: RequestShape,
    private readonly prompt: string,
    readonly credits: number,
    readonly createdAt: number,
    timeline: Timeline,
    param: string,
  ) {
    this.visibleAt = timeline.visibleAt;
    this.queuedAt = timeline.queuedAt;
    this.generatingAt = timeline.generatingAt;
    this.completeAt = timeline.completeAt;
    this.plannedCompleteAt = timeline.plannedCompleteAt;
    this.outcome = timeline.outcome;
    this.paramWhileRunning = param;
  }

  /** The job left KIE's running set: it keeps only what the shape cannot rebuild. */
  retire(): void {
    this.paramWhileRunning = null;
  }

  /** Which endpoints created it and answer for it (a Veo task is unknown to jobs/recordInfo). */
  get family(): ProviderFamily {
    return this.shape.fields.family;
  }

  /** The KIE model id as sent. */
  get model(): string {
    return this.shape.fields.model;
  }

  get job(): JobClass {
    return this.shape.job;
  }

  get callBackUrl(): string | undefined {
    return this.shape.fields.callBackUrl;
  }

  get progressCallBackUrl(): string | undefined {
    return this.shape.fields.progressCallBackUrl;
  }

  /** The create body as KIE echoes it (`param`, a JSON string). */
  get param(): string {
    if (this.paramWhileRunning !== null) return this.paramWhileRunning;
    const { before, after } = this.shape;
    return after === null ? before : before + JSON.stringify(this.prompt) + after;
  }

  /** The validated request, rebuilt from the stored pieces (for tests and tools; the simulator reads the parts). */
  get body(): CreateTaskBody {
    const { callBackUrl, progressCallBackUrl, ...fields } = this.shape.fields;
    return {
      ...fields,
      prompt: this.prompt,
      ...(callBackUrl !== undefined ? { callBackUrl } : {}),
      ...(progressCallBackUrl !== undefined ? { progressCallBackUrl } : {}),
      raw: JSON.parse(this.param) as Record<string, unknown>,
    };
  }
}

/** Interns request shapes by their JSON with the prompt cut out: family, then the JSON before it, then after. */
export class RequestShapes {
  private readonly byTemplate = new Map<ProviderFamily, Map<string, Map<string, RequestShape>>>();

  /** The shape of a validated request whose JSON is `param` (one search per call). */
  of(body: CreateTaskBody, job: JobClass, param: string): RequestShape {
    const quoted = JSON.stringify(body.prompt);
    const at = param.indexOf(quoted);
    // The prompt's own field always yields one match; a second one (another value holding the same text, or
    // ending in it) makes its place ambiguous, and the job keeps its whole param.
    if (at < 0 || param.indexOf(quoted, at + 1) >= 0) return { fields: fieldsOf(body), job, before: param, after: null };
    const before = param.slice(0, at);
    const after = param.slice(at + quoted.length);
    // Nested maps take the two slices as they are: one joined key would be a new string to build per call.
    let byBefore = this.byTemplate.get(body.family);
    if (!byBefore) this.byTemplate.set(body.family, (byBefore = new Map()));
    let byAfter = byBefore.get(before);
    if (!byAfter) byBefore.set(before, (byAfter = new Map()));
    let shape = byAfter.get(after);
    if (!shape) byAfter.set(after, (shape = { fields: fieldsOf(body), job, before, after }));
    return shape;
  }
}

function fieldsOf(body: CreateTaskBody): ShapeFields {
  const { prompt: _prompt, raw: _raw, ...fields } = body;
  return fields;
}

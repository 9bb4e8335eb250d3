import type { ProviderFamily } from '@clipfleet/engine';
import type { JobClass } from './profiles/latency.ts';
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

/** Stands in for the prompt while the request is serialised; a request containing it is stored whole. */
const PROMPT_SLOT = '\u0000clipfleet-sim-prompt\u0000';
const PROMPT_SLOT_JSON = JSON.stringify(PROMPT_SLOT);

/** The simulator's record of one job: numbers plus shared pieces (about 200 bytes), for every job it ever created. */
export class SimJob {
  constructor(
    readonly taskId: string,
    readonly account: string,
    /** The attempt's identity (`<engine task id>#<attempt>` in-process): keys the job's seeded streams. */
    readonly key: string,
    private readonly shape: RequestShape,
    private readonly prompt: string,
    readonly credits: number,
    readonly createdAt: number,
    readonly visibleAt: number,
    public queuedAt: number,
    public generatingAt: number,
    public completeAt: number,
    /** When generation would have finished had it not failed: progress of a failed task is frozen relative to it. */
    readonly plannedCompleteAt: number,
    public outcome: JobOutcome,
  ) {}

  queries = 0;
  callbacksSent = 0;
  callbacksLost = 0;

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

/** Interns request shapes by their JSON with the prompt cut out. */
export class RequestShapes {
  private readonly byTemplate = new Map<string, RequestShape>();

  /** The shape of a validated request (one JSON serialisation per call). */
  of(body: CreateTaskBody, job: JobClass): RequestShape {
    const { prompt: _prompt, raw, ...fields } = body;
    const template = JSON.stringify(withPromptSlot(raw, body.family));
    const at = template.indexOf(PROMPT_SLOT_JSON);
    // Another field carrying the slot's text: the prompt's place is ambiguous, so this job keeps its whole param.
    if (at < 0 || template.indexOf(PROMPT_SLOT_JSON, at + 1) >= 0) return { fields, job, before: JSON.stringify(raw), after: null };
    const key = `${body.family} ${template}`;
    let shape = this.byTemplate.get(key);
    if (!shape) {
      shape = { fields, job, before: template.slice(0, at), after: template.slice(at + PROMPT_SLOT_JSON.length) };
      this.byTemplate.set(key, shape);
    }
    return shape;
  }
}

/** The request with its prompt (under `input` on Market, top level on Veo) replaced by the slot, keys in order. */
function withPromptSlot(raw: Record<string, unknown>, family: ProviderFamily): Record<string, unknown> {
  if (family === 'veo') return { ...raw, prompt: PROMPT_SLOT };
  return { ...raw, input: { ...(raw.input as Record<string, unknown>), prompt: PROMPT_SLOT } };
}

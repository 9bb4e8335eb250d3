import { allowedDurations, DEFAULT_CONFIG, MODES, type Catalog, type Mode, type ModelConfig, type ProviderFamily } from '@clipfleet/engine';

/** A create request that passed validation, reduced to what the simulator needs. */
export interface CreateTaskBody {
  family: ProviderFamily;
  /** The KIE model id as sent. */
  model: string;
  /** The catalog entry it belongs to. */
  catalogModel: string;
  mode: Mode;
  prompt: string;
  resolution: string;
  durationSec: number;
  callBackUrl?: string;
  progressCallBackUrl?: string;
  /** The request as received (KIE echoes it as `param` / `paramJson`). */
  raw: Record<string, unknown>;
}

export type Validation = { ok: true; body: CreateTaskBody } | { ok: false; field: string; msg: string };

/** KIE's answer for a model id it does not serve (kie-models.md). */
export const UNKNOWN_MODEL_MSG = 'The page does not exist or is not published';

function bad(field: string, msg: string): Validation {
  return { ok: false, field, msg: `${field}: ${msg}` };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isUrl = (v: unknown): v is string => typeof v === 'string' && /^https?:\/\/\S+$/.test(v);

type Candidate = { entry: ModelConfig; mode: Mode };

/** What validation derives from a catalog, once per catalog object (config is data: it is not changed in place). */
const candidatesByCatalog = new WeakMap<Catalog, Map<ProviderFamily, Map<string, Candidate[]>>>();
const rulesByEntry = new WeakMap<ModelConfig, Map<Mode, ModeRules>>();

/** Where a KIE model id lives in the catalog: one id may serve both modes (Seedance, Veo). */
function entriesFor(catalog: Catalog, family: ProviderFamily, kieModel: string): Candidate[] {
  let byFamily = candidatesByCatalog.get(catalog);
  if (!byFamily) candidatesByCatalog.set(catalog, (byFamily = new Map()));
  let byModel = byFamily.get(family);
  if (!byModel) byFamily.set(family, (byModel = new Map()));
  let found = byModel.get(kieModel);
  if (!found) {
    found = catalog.models.flatMap((entry) =>
      entry.family !== family ? [] : MODES.filter((mode) => entry.modes[mode]?.kieModel === kieModel).map((mode) => ({ entry, mode })),
    );
    byModel.set(kieModel, found);
  }
  return found;
}

interface ModeRules {
  /** The fields a request of this mode may carry. */
  allowed: Set<string>;
  durations: number[];
  /** [resolution, wire value] pairs the model offers. */
  byWire: Array<[string, string]>;
}

/** The rules of one mode of an entry (of the entry's own family: entriesFor finds no other). */
function rulesOf(entry: ModelConfig, mode: Mode, family: ProviderFamily): ModeRules {
  let byMode = rulesByEntry.get(entry);
  if (!byMode) rulesByEntry.set(entry, (byMode = new Map()));
  let rules = byMode.get(mode);
  if (!rules) {
    const cfg = entry.modes[mode]!;
    const map = entry.input;
    const allowed = new Set<string>(['prompt', map.duration.field, ...(family === 'market' ? [] : ['model', 'callBackUrl']), ...Object.keys(cfg.fixed)]);
    if (map.resolution) allowed.add(map.resolution.field);
    if (cfg.aspectRatios && map.aspectRatio) allowed.add(map.aspectRatio.field);
    const images = map.images;
    if (cfg.images.max > 0 && images) {
      if (images.kind === 'frames') [images.first, images.last].forEach((f) => allowed.add(f));
      else allowed.add(images.field);
    }
    const byWire = map.resolution ? Object.entries(map.resolution.values).filter(([r]) => entry.resolutions.includes(r)) : [];
    rules = { allowed, durations: allowedDurations(entry), byWire };
    byMode.set(mode, rules);
  }
  return rules;
}

/**
 * Checks a create request the way KIE does, against the model's own mapping in the catalog: the documented
 * fields only, each with its type (`"5"` vs `5`) and allowed values, the right number of images, the fixed
 * fields. Market bodies nest the fields under `input`; Veo's are flat. The message names the offending field.
 */
export function validateCreateBody(raw: unknown, family: ProviderFamily = 'market', catalog: Catalog = DEFAULT_CONFIG.catalog): Validation {
  if (!isObject(raw)) return bad('body', 'must be a JSON object');
  const model = raw.model;
  if (typeof model !== 'string' || model === '') return bad('model', 'is required');
  const candidates = entriesFor(catalog, family, model);
  if (candidates.length === 0) return { ok: false, field: 'model', msg: UNKNOWN_MODEL_MSG };
  for (const url of ['callBackUrl', 'progressCallBackUrl'] as const) {
    if (raw[url] !== undefined && !isUrl(raw[url])) return bad(url, 'must be an http(s) URL');
  }
  if (family === 'veo' && raw.progressCallBackUrl !== undefined) return bad('progressCallBackUrl', 'is not a Veo field');
  const input = family === 'market' ? raw.input : raw;
  const prefix = family === 'market' ? 'input.' : '';
  if (!isObject(input)) return bad('input', 'is required');

  // The mode is the one whose images and fixed fields the request matches (an id may serve both).
  const { entry, mode } = pickMode(candidates, input);
  const cfg = entry.modes[mode]!;
  const map = entry.input;
  const images = map.images;
  const { allowed, durations, byWire } = rulesOf(entry, mode, family);
  for (const key of Object.keys(input)) {
    if (input[key] !== undefined && !allowed.has(key)) return bad(`${prefix}${key}`, `is not a field of ${model} (${mode === 'textToVideo' ? 'text' : 'image'}-to-video)`);
  }

  const prompt = input.prompt;
  if (typeof prompt !== 'string' || prompt.trim() === '') return bad(`${prefix}prompt`, 'is required');
  if (prompt.length > map.promptMaxLength) return bad(`${prefix}prompt`, `must be at most ${map.promptMaxLength} characters`);

  const d = input[map.duration.field];
  const dField = `${prefix}${map.duration.field}`;
  if (d === undefined) return bad(dField, 'is required');
  if (map.duration.type === 'string' && typeof d !== 'string') return bad(dField, `must be a string of seconds ("${durations[0]}"), not a ${typeof d}`);
  if (map.duration.type === 'integer' && (typeof d !== 'number' || !Number.isInteger(d))) return bad(dField, `must be an integer number of seconds (${durations[0]})`);
  const durationSec = Number(d);
  if (!durations.includes(durationSec)) return bad(dField, `must be one of ${durations.join(', ')}`);

  let resolution = cfg.defaultResolution ?? entry.resolutions[0]!;
  if (map.resolution) {
    const rField = `${prefix}${map.resolution.field}`;
    const sent = input[map.resolution.field];
    if (sent !== undefined) {
      const hit = byWire.find(([, wire]) => wire === sent);
      if (!hit) return bad(rField, `must be one of ${byWire.map(([, w]) => w).join(', ')}`);
      resolution = hit[0];
    }
  }

  if (cfg.aspectRatios && map.aspectRatio) {
    const a = input[map.aspectRatio.field];
    if (a !== undefined && (typeof a !== 'string' || !cfg.aspectRatios.includes(a))) {
      return bad(`${prefix}${map.aspectRatio.field}`, `must be one of ${cfg.aspectRatios.join(', ')}`);
    }
  }

  const imageCheck = checkImages(input, prefix, cfg.images, images);
  if (imageCheck) return imageCheck;

  for (const [key, value] of Object.entries(cfg.fixed)) {
    const sent = input[key];
    if (typeof value === 'string' ? sent !== value : typeof sent !== typeof value) {
      return bad(`${prefix}${key}`, typeof value === 'string' ? `must be "${value}" for ${mode === 'textToVideo' ? 'text' : 'image'}-to-video` : `is required (a ${typeof value})`);
    }
  }

  return {
    ok: true,
    body: {
      family,
      model,
      catalogModel: entry.id,
      mode,
      prompt,
      resolution,
      durationSec,
      ...(typeof raw.callBackUrl === 'string' ? { callBackUrl: raw.callBackUrl } : {}),
      ...(typeof raw.progressCallBackUrl === 'string' ? { progressCallBackUrl: raw.progressCallBackUrl } : {}),
      raw,
    },
  };
}

function pickMode(candidates: Array<{ entry: ModelConfig; mode: Mode }>, input: Record<string, unknown>): { entry: ModelConfig; mode: Mode } {
  if (candidates.length === 1) return candidates[0]!;
  const matches = candidates.filter(({ entry, mode }) => {
    const cfg = entry.modes[mode]!;
    const fixedOk = Object.entries(cfg.fixed).every(([k, v]) => typeof v !== 'string' || input[k] === v);
    return fixedOk && (imageCount(input, entry.input.images) > 0) === (cfg.images.max > 0);
  });
  return matches[0] ?? candidates[0]!;
}

function imageCount(input: Record<string, unknown>, images: ModelConfig['input']['images']): number {
  if (!images) return 0;
  if (images.kind === 'frames') return [images.first, images.last].filter((f) => input[f] !== undefined).length;
  const v = input[images.field];
  if (v === undefined) return 0;
  return Array.isArray(v) ? v.length : 1;
}

function checkImages(
  input: Record<string, unknown>,
  prefix: string,
  want: { min: number; max: number },
  images: ModelConfig['input']['images'],
): Validation | undefined {
  if (want.max === 0 || !images) return undefined;
  const count = `${want.min === want.max ? want.min : `${want.min}-${want.max}`} public http(s) image URL${want.max === 1 ? '' : 's'}`;
  if (images.kind === 'frames') {
    const first = input[images.first];
    const last = input[images.last];
    if (first === undefined && last === undefined) return bad(`${prefix}${images.first}`, 'is required');
    for (const [field, v] of [[images.first, first], [images.last, last]] as const) {
      if (v !== undefined && !isUrl(v)) return bad(`${prefix}${field}`, 'must be one public http(s) image URL (a string)');
    }
    if (want.max < 2 && first !== undefined && last !== undefined) return bad(`${prefix}${images.last}`, `takes ${count}`);
    return undefined;
  }
  const v = input[images.field];
  const field = `${prefix}${images.field}`;
  if (images.kind === 'single') return isUrl(v) ? undefined : bad(field, 'must be one public http(s) image URL (a string)');
  if (!Array.isArray(v) || v.length < want.min || v.length > want.max || !v.every(isUrl)) return bad(field, `must hold ${count}`);
  return undefined;
}

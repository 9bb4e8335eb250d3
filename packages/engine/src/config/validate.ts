import { ConfigError, formatZodIssues } from '../errors.ts';
import { defaultFleetConfig } from './defaults.ts';
import { FleetConfigSchema, MODES, type FleetConfig } from './schema.ts';
import { allowedDurations } from './durations.ts';
import { firstRisingPoint } from './weights.ts';

/**
 * Parses and cross-checks a fleet configuration. Throws a ConfigError naming the first bad field:
 * a hot reload with a broken config must be refused whole, never half-applied.
 */
export function parseFleetConfig(input: unknown): FleetConfig {
  const parsed = FleetConfigSchema.safeParse(input);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new ConfigError(`invalid config: ${formatZodIssues(parsed.error)}`, first ? first.path.join('.') : '');
  }
  const config = parsed.data;
  checkCatalog(config);
  const resolutionsInUse = new Set(config.catalog.models.flatMap((m) => m.resolutions));
  const planIds = new Set<string>();
  config.plans.forEach((plan, i) => {
    const at = `plans.${i}`;
    if (planIds.has(plan.id)) throw new ConfigError(`invalid config: ${at}.id: duplicate plan "${plan.id}"`, `${at}.id`);
    planIds.add(plan.id);
    for (const resolution of resolutionsInUse) {
      if (plan.timeoutsMs[resolution] === undefined)
        throw new ConfigError(`invalid config: ${at}.timeoutsMs: missing "${resolution}"`, `${at}.timeoutsMs`);
    }
    if (Object.keys(plan.resolutionWeight).length === 0) throw new ConfigError(`invalid config: ${at}.resolutionWeight: needs at least one point`, `${at}.resolutionWeight`);
    if (Object.keys(plan.durationWeight).length === 0) throw new ConfigError(`invalid config: ${at}.durationWeight: needs at least one point`, `${at}.durationWeight`);
    const resPoints: Array<[string, number, number]> = [];
    for (const [r, w] of Object.entries(plan.resolutionWeight)) {
      const size = config.catalog.resolutions[r];
      if (!size) throw new ConfigError(`invalid config: ${at}.resolutionWeight: "${r}" is not in catalog.resolutions`, `${at}.resolutionWeight`);
      resPoints.push([r, size.width * size.height, w]);
    }
    const durPoints = Object.entries(plan.durationWeight).map(([d, w]): [string, number, number] => [d, Number(d), w]);
    if (durPoints.some(([, d]) => !Number.isInteger(d) || d <= 0))
      throw new ConfigError(`invalid config: ${at}.durationWeight: keys must be whole seconds`, `${at}.durationWeight`);
    // A larger or longer clip must never get more concurrency than a smaller one.
    const risingRes = firstRisingPoint(resPoints);
    if (risingRes) throw new ConfigError(`invalid config: ${at}.resolutionWeight: "${risingRes}" weighs more than a smaller resolution`, `${at}.resolutionWeight`);
    const risingDur = firstRisingPoint(durPoints);
    if (risingDur) throw new ConfigError(`invalid config: ${at}.durationWeight: "${risingDur}" weighs more than a shorter clip`, `${at}.durationWeight`);
  });
  if (!planIds.has(config.defaultPlan))
    throw new ConfigError(`invalid config: defaultPlan: unknown plan "${config.defaultPlan}"`, 'defaultPlan');
  return config;
}

/** The shipped configuration, validated once. */
export const DEFAULT_CONFIG: FleetConfig = parseFleetConfig(defaultFleetConfig);

/** Cross-field checks a zod schema cannot express: every offered option is mapped and priced. */
function checkCatalog(config: FleetConfig): void {
  const { catalog } = config;
  const ids = new Set<string>();
  const fail = (path: string, message: string): never => {
    throw new ConfigError(`invalid config: ${path}: ${message}`, path);
  };
  if (catalog.defaultModel !== undefined && !catalog.models.some((m) => m.id === catalog.defaultModel))
    fail('catalog.defaultModel', `unknown model "${catalog.defaultModel}"`);
  catalog.models.forEach((m, i) => {
    const at = `catalog.models.${i}`;
    if (ids.has(m.id)) fail(`${at}.id`, `duplicate model "${m.id}"`);
    ids.add(m.id);
    for (const r of m.resolutions) {
      if (!catalog.resolutions[r]) fail(`${at}.resolutions`, `"${r}" is not in catalog.resolutions`);
      if (m.input.resolution && m.input.resolution.values[r] === undefined) fail(`${at}.input.resolution.values`, `missing "${r}"`);
      if (m.price.per === 'second' && m.price.credits[r] === undefined) fail(`${at}.price.credits`, `missing "${r}"`);
      if (m.price.per === 'clip') {
        for (const d of allowedDurations(m)) if (m.price.credits[r]?.[String(d)] === undefined) fail(`${at}.price.credits`, `missing "${r}" ${d} s`);
      }
    }
    if (m.input.promptMaxLength > catalog.maxPromptLength) fail(`${at}.input.promptMaxLength`, `exceeds catalog.maxPromptLength (${catalog.maxPromptLength})`);
    for (const mode of MODES) {
      const c = m.modes[mode];
      if (!c) continue;
      if (mode === 'textToVideo' && c.images.max > 0) fail(`${at}.modes.${mode}.images`, 'text-to-video takes no images');
      if (mode === 'imageToVideo' && c.images.min < 1) fail(`${at}.modes.${mode}.images`, 'image-to-video needs at least one image');
      if (c.images.max > 0 && !m.input.images) fail(`${at}.input.images`, `${mode} takes images but no field carries them`);
      if (c.images.max > 1 && m.input.images?.kind === 'single') fail(`${at}.input.images`, 'a single image field cannot carry two images');
      if (c.images.max > 2 && m.input.images?.kind === 'frames') fail(`${at}.input.images`, 'frame fields carry at most two images');
      if (c.aspectRatios && !m.input.aspectRatio) fail(`${at}.input.aspectRatio`, `${mode} lists aspect ratios but no field carries them`);
    }
  });
}

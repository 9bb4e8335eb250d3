import { allowedDurations, clipCredits, DEFAULT_CONFIG, MODES, modeLabel, type Catalog, type ModelConfig } from '@clipfleet/engine';
import { assumedMedianMs } from '../profiles/modelTimes.ts';

/** The README's model table, written from the catalog (and the simulator's stated time assumptions). */

export const MODELS_START = '<!-- models:start -->';
export const MODELS_END = '<!-- models:end -->';

function durations(m: ModelConfig): string {
  const d = m.durations;
  return 'list' in d ? `${allowedDurations(m).join(', ')} s` : `${d.min}-${d.max} s`;
}

function price(m: ModelConfig): string {
  const p = m.price;
  if (p.per === 'second') return m.resolutions.map((r) => `${r}: ${p.credits[r]}/s`).join('; ');
  return m.resolutions.map((r) => `${r}: ${allowedDurations(m).map((d) => `${d} s ${clipCredits(m, r, d)}`).join(', ')}`).join('; ');
}

function modes(m: ModelConfig): string {
  return MODES.flatMap((mode) => {
    const c = m.modes[mode];
    if (!c) return [];
    const images = c.images.max === 0 ? '' : c.images.min === c.images.max ? `, ${c.images.max} image` : `, ${c.images.min}-${c.images.max} images (first, last frame)`;
    const aspects = c.aspectRatios ? `, aspect ${c.aspectRatios.join(' / ')}` : '';
    return [`${modeLabel(mode)} \`${c.kieModel}\`${images}${aspects}`];
  }).join('<br>');
}

function mapping(m: ModelConfig): string {
  const i = m.input;
  const parts = [`duration \`${i.duration.field}\` (${i.duration.type})`];
  if (i.resolution) parts.push(`resolution \`${i.resolution.field}\``);
  if (i.aspectRatio) parts.push(`aspect \`${i.aspectRatio.field}\``);
  if (i.images) parts.push(i.images.kind === 'frames' ? `images \`${i.images.first}\` / \`${i.images.last}\`` : `images \`${i.images.field}\` (${i.images.kind})`);
  const fixed = MODES.flatMap((mode) => Object.entries(m.modes[mode]?.fixed ?? {}).map(([k, v]) => `\`${k}: ${JSON.stringify(v)}\``));
  if (fixed.length) parts.push(`fixed ${[...new Set(fixed)].join(', ')}`);
  return parts.join(', ');
}

function status(m: ModelConfig): string {
  return m.status.state === 'live' ? 'live' : `**retired** ${m.status.date}`;
}

/** Assumed simulator time of the shortest and the longest clip at the model's first resolution. */
function simTime(m: ModelConfig): string {
  const r = m.resolutions[0]!;
  const ds = allowedDurations(m);
  const at = (d: number) => assumedMedianMs(m.id, r, d);
  const lo = at(ds[0]!);
  const hi = at(ds.at(-1)!);
  if (lo === undefined || hi === undefined) return 'seed calibration (see `seed` profile)';
  return `${r}: ${Math.round(lo / 1000)} s (${ds[0]} s clip) to ${Math.round(hi / 1000)} s (${ds.at(-1)} s clip)`;
}

export function modelTableMarkdown(catalog: Catalog = DEFAULT_CONFIG.catalog): string {
  const head = ['id', 'family', 'status', 'modes (KIE model id, images, aspect ratios)', 'resolutions', 'durations', 'input mapping', 'price (platform credits)', 'assumed sim time (median)'];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const m of catalog.models) {
    lines.push(`| \`${m.id}\` | ${m.family} | ${status(m)} | ${modes(m)} | ${m.resolutions.join(', ')} | ${durations(m)} | ${mapping(m)} | ${price(m)} | ${simTime(m)} |`);
  }
  const retired = catalog.models.filter((m) => m.status.state === 'retired');
  const notices = retired.map((m) => (m.status.state === 'retired' ? `- \`${m.id}\`: ${m.status.notice}` : ''));
  const sources = catalog.models.filter((m) => m.source).map((m) => `- \`${m.id}\`: ${m.source}`);
  return [
    `Written by \`npm run models:table\` from the catalog (\`packages/engine/src/config/models.ts\`); do not edit by hand.`,
    '',
    ...lines,
    '',
    ...(notices.length ? ['Retired (refused up front when `KIE_API_KEY` is set; the simulator and the seed benchmark still run them):', ...notices, ''] : []),
    'Sources and assumptions:',
    ...sources,
  ].join('\n');
}

/** The README with its model section replaced (markers kept). */
export function withModelTable(readme: string, table: string): string {
  const start = readme.indexOf(MODELS_START);
  const end = readme.indexOf(MODELS_END);
  if (start < 0 || end < start) throw new Error(`README has no ${MODELS_START} ... ${MODELS_END} section`);
  return `${readme.slice(0, start + MODELS_START.length)}\n${table}\n${readme.slice(end)}`;
}

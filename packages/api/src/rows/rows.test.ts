import { DEFAULT_CONFIG } from '@clipfleet/engine';
import { describe, expect, it } from 'vitest';
import { catalogChoices, checkRow, checkRows, parseCsv, parseDuration, parsePromptLines } from './rows.ts';

const defaults = { model: 'sora-2', resolution: '720p', duration: 15 };

describe('parsePromptLines', () => {
  it('takes one prompt per non-empty line and keeps line numbers', () => {
    const { rows } = parsePromptLines('a cat\n\n  a dog  \r\nsurfing\n');
    expect(rows).toEqual([
      { line: 1, prompt: 'a cat' },
      { line: 3, prompt: 'a dog' },
      { line: 4, prompt: 'surfing' },
    ]);
  });
});

describe('parseCsv', () => {
  it('refuses a row with more values than columns (an unquoted comma would cut the prompt short)', () => {
    const { fileErrors } = parseCsv('prompt,model\nA market at night, shot 1,sora-2\nfine,sora-2\nshort\n');
    expect(fileErrors).toEqual(['line 2: more values than the header\'s 2 columns (quote a value that contains a comma)']);
  });

  it('maps the documented columns, with line numbers counting the header', () => {
    const csv = 'prompt,model,resolution,duration,aspect_ratio,image_url\n"a, quoted prompt",sora-2-pro,1080p,10,portrait,https://x.test/a.png\nplain,,,,,\n';
    const { rows, fileErrors } = parseCsv(csv);
    expect(fileErrors).toEqual([]);
    expect(rows).toEqual([
      { line: 2, prompt: 'a, quoted prompt', model: 'sora-2-pro', resolution: '1080p', duration: '10', aspectRatio: 'portrait', imageUrl: 'https://x.test/a.png' },
      { line: 3, prompt: 'plain' },
    ]);
  });

  it('accepts header case and spacing variations and a BOM', () => {
    const { rows, fileErrors } = parseCsv('\uFEFFPrompt, Aspect Ratio\nhello,landscape\n');
    expect(fileErrors).toEqual([]);
    expect(rows[0]).toEqual({ line: 2, prompt: 'hello', aspectRatio: 'landscape' });
  });

  it('reports a missing prompt column and unknown columns', () => {
    expect(parseCsv('text\nhello\n').fileErrors[0]).toMatch(/"prompt" column/);
    expect(parseCsv('prompt,colour\nhello,red\n').fileErrors[0]).toMatch(/unknown column: colour/);
  });
});

describe('checkRow', () => {
  it('prices a valid row with defaults and sends only the fields set', () => {
    const r = checkRow({ line: 1, prompt: 'a cat' }, defaults);
    expect(r.issues).toEqual([]);
    expect(r.credits).toBe(20);
    expect(r.input).toEqual({ prompt: 'a cat' });
    expect(r.effective).toEqual(defaults);
  });

  it('uses the catalog rules: 1080p on sora-2 is rejected, on sora-2-pro priced', () => {
    const bad = checkRow({ line: 2, prompt: 'x', resolution: '1080p' }, defaults);
    expect(bad.issues).toEqual([{ field: 'resolution', message: expect.stringMatching(/sora-2 does not support resolution "1080p"/) }]);
    const good = checkRow({ line: 2, prompt: 'x', model: 'sora-2-pro', resolution: '1080p', duration: '10s' }, defaults);
    expect(good.issues).toEqual([]);
    expect(good.credits).toBe(100);
    expect(good.input).toEqual({ prompt: 'x', model: 'sora-2-pro', resolution: '1080p', duration: 10 });
  });

  it('names the field at fault for each kind of bad value', () => {
    const fieldOf = (row: Parameters<typeof checkRow>[0]) => checkRow(row, defaults).issues.map((i) => i.field);
    expect(fieldOf({ line: 1, prompt: '' })).toEqual(['prompt']);
    expect(fieldOf({ line: 1, prompt: 'x'.repeat(DEFAULT_CONFIG.catalog.maxPromptLength + 1) })).toEqual(['prompt']);
    expect(fieldOf({ line: 1, prompt: 'x', model: 'sora-3' })).toEqual(['model']);
    expect(fieldOf({ line: 1, prompt: 'x', duration: '12' })).toEqual(['duration']);
    expect(fieldOf({ line: 1, prompt: 'x', duration: 'long' })).toEqual(['duration']);
    expect(fieldOf({ line: 1, prompt: 'x', aspectRatio: 'square' })).toEqual(['aspectRatio']);
    expect(fieldOf({ line: 1, prompt: 'x', imageUrl: 'ftp://x/y.png' })).toEqual(['imageUrl']);
    expect(fieldOf({ line: 1, prompt: 'x', imageUrl: 'not a url' })).toEqual(['imageUrl']);
  });

  it("checks each live model's own options, naming the field", () => {
    const live = { model: 'kling-2.6', resolution: '1080p', duration: 5 };
    const fieldOf = (row: Parameters<typeof checkRow>[0]) => checkRow(row, live).issues.map((i) => i.field);
    expect(fieldOf({ line: 1, prompt: 'x', duration: '12' })).toEqual(['duration']); // Kling 2.6: 5 or 10 s
    expect(fieldOf({ line: 1, prompt: 'x', model: 'seedance-2-fast', resolution: '4k' })).toEqual(['resolution']);
    expect(fieldOf({ line: 1, prompt: 'x', imageUrl: 'https://i/1.png', lastFrameUrl: 'https://i/2.png' })).toEqual(['lastFrameUrl']);
    expect(fieldOf({ line: 1, prompt: 'x', lastFrameUrl: 'https://i/2.png' })).toEqual(['lastFrameUrl']);
    expect(fieldOf({ line: 1, prompt: 'x', imageUrl: 'http://i/1.png' })).toEqual(['imageUrl']);
    expect(fieldOf({ line: 1, prompt: 'x', aspectRatio: 'landscape' })).toEqual(['aspectRatio']);
    const seedance = checkRow({ line: 1, prompt: 'x', model: 'seedance-2', resolution: '720p', duration: '5', imageUrl: 'https://i/1.png', lastFrameUrl: 'https://i/2.png' }, live);
    expect(seedance.issues).toEqual([]);
    expect(seedance.credits).toBe(103);
    expect(seedance.input).toEqual({ prompt: 'x', model: 'seedance-2', resolution: '720p', duration: 5, imageUrl: 'https://i/1.png', lastFrameUrl: 'https://i/2.png' });
  });

  it('applies the default aspect ratio only where the row\'s mode has one', () => {
    const d = { model: 'wan-2.7', resolution: '720p', duration: 5, aspectRatio: '9:16' };
    expect(checkRow({ line: 1, prompt: 'x' }, d).input.aspectRatio).toBe('9:16');
    expect(checkRow({ line: 1, prompt: 'x', imageUrl: 'https://i/1.png' }, d).input.aspectRatio).toBeUndefined();
    expect(checkRow({ line: 1, prompt: 'x', model: 'kling-2.6', resolution: '1080p' }, d).issues).toEqual([]);
  });

  it('flags a retired model when the server talks to the real KIE', () => {
    const r = checkRow({ line: 1, prompt: 'x' }, defaults, DEFAULT_CONFIG.catalog, { refusesRetired: true });
    expect(r.issues).toEqual([{ field: 'model', message: expect.stringMatching(/^model "sora-2" is retired since 2026-09-24/) }]);
    expect(checkRow({ line: 1, prompt: 'x' }, defaults).issues).toEqual([]);
  });
});

describe('checkRows', () => {
  it('sums credits and counts invalid rows', () => {
    const b = checkRows(parsePromptLines('a\nb\nc').rows, defaults);
    expect(b).toMatchObject({ invalidCount: 0, credits: 60, batchErrors: [] });
    const bad = checkRows([{ line: 1, prompt: 'a', duration: '12' }], defaults);
    expect(bad).toMatchObject({ invalidCount: 1, credits: null });
  });

  it('rejects an empty batch and one over the row limit', () => {
    expect(checkRows([], defaults).batchErrors).toEqual(['add at least one prompt']);
    const many = Array.from({ length: 4 }, (_, i) => ({ line: i + 1, prompt: 'p' }));
    expect(checkRows(many, defaults, DEFAULT_CONFIG.catalog, 3).batchErrors[0]).toMatch(/at most 3/);
  });
});

describe('parseDuration / catalogChoices', () => {
  it('parses seconds', () => {
    expect(parseDuration('15')).toBe(15);
    expect(parseDuration(' 10 s ')).toBe(10);
    expect(parseDuration('1.5')).toBeNull();
  });
  it('lists a model\'s resolutions and durations', () => {
    expect(catalogChoices(DEFAULT_CONFIG.catalog, 'sora-2-pro')).toEqual({
      resolutions: ['720p', '1080p'],
      durations: [10, 15],
      aspectRatios: ['landscape', 'portrait'],
      images: { min: 1, max: 1 },
      textToVideo: true,
    });
    expect(catalogChoices(DEFAULT_CONFIG.catalog, 'wan-2.7')).toMatchObject({ durations: [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15], aspectRatios: ['16:9', '9:16', '1:1', '4:3', '3:4'], images: { min: 1, max: 2 } });
    expect(catalogChoices(DEFAULT_CONFIG.catalog, 'nope')).toEqual({ resolutions: [], durations: [], aspectRatios: [], images: null, textToVideo: false });
  });
});

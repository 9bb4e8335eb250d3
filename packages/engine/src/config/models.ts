import type { FleetConfigInput } from './schema.ts';

type ModelInput = FleetConfigInput['catalog']['models'][number];

/**
 * The shipped model catalog: KIE's video models as data (facts from public copies of docs.kie.ai, mid/late 2026;
 * see README "Models"). Prices are ClipFleet platform credits; new models are priced at KIE's USD price x 100
 * (1 credit = 0.01 USD), per second rounded up per clip. A new model of an existing family is an entry here.
 */

const SORA_NOTICE =
  'OpenAI shut Sora 2 and Sora 2 Pro down on 2026-09-24 and KIE no longer serves them; the entry is kept for the simulator and the seed benchmark.';
const soraRetired = { state: 'retired', date: '2026-09-24', notice: SORA_NOTICE } as const;
const soraInput = {
  promptMaxLength: 10_000,
  duration: { field: 'n_frames', type: 'string' },
  aspectRatio: { field: 'aspect_ratio' },
  images: { kind: 'list', field: 'image_urls' },
} as const;
const soraAspects = ['landscape', 'portrait'];

const wide = ['16:9', '9:16', '1:1'];
const seedanceAspects = ['16:9', '9:16', '1:1', '4:3', '3:4', '21:9', 'adaptive'];
const seedanceInput = {
  promptMaxLength: 20_000,
  duration: { field: 'duration', type: 'integer' },
  resolution: { field: 'resolution', values: { '480p': '480p', '720p': '720p', '1080p': '1080p' } },
  aspectRatio: { field: 'aspect_ratio' },
  images: { kind: 'frames', first: 'first_frame_url', last: 'last_frame_url' },
} as const;
const seedanceModes = (kieModel: string) => ({
  textToVideo: { kieModel, aspectRatios: seedanceAspects, images: { min: 0, max: 0 } },
  imageToVideo: { kieModel, aspectRatios: ['adaptive', ...seedanceAspects.slice(0, -1)], images: { min: 1, max: 2 } },
});

const veoAspects = ['16:9', '9:16', 'Auto'];
const veoInput = {
  promptMaxLength: 5_000,
  duration: { field: 'duration', type: 'integer' },
  resolution: { field: 'resolution', values: { '720p': '720p', '1080p': '1080p', '4k': '4k' } },
  // docs.kie.ai's current generate page spells it `aspectRatio` (older copies: `aspect_ratio`).
  aspectRatio: { field: 'aspectRatio' },
  images: { kind: 'list', field: 'imageUrls' },
} as const;
/**
 * One Veo 3.1 tier: the three differ only in their KIE id and price. KIE quotes Veo per 720p clip (8 s, the
 * default length): per second = clip / 8; 1080p as 720p, 4k x2 (assumptions).
 */
function veoModel(id: string, label: string, kieModel: string, clipUsd: number): ModelInput {
  const perSecond = (clipUsd * 100) / 8;
  return {
    id,
    label,
    family: 'veo',
    status: { state: 'live' },
    modes: {
      textToVideo: { kieModel, aspectRatios: veoAspects, images: { min: 0, max: 0 }, fixed: { generationType: 'TEXT_2_VIDEO' } },
      imageToVideo: { kieModel, aspectRatios: veoAspects, images: { min: 1, max: 2 }, fixed: { generationType: 'FIRST_AND_LAST_FRAMES_2_VIDEO' } },
    },
    resolutions: ['720p', '1080p', '4k'],
    durations: { list: [4, 6, 8] },
    input: veoInput,
    price: { per: 'second', credits: { '720p': perSecond, '1080p': perSecond, '4k': 2 * perSecond } },
    source: `KIE Veo 3.1 docs; ${clipUsd} USD per 720p clip, per second = clip / 8 s; 1080p priced as 720p, 4k x2 (assumptions)`,
  };
}

export const defaultCatalog: FleetConfigInput['catalog'] = {
  maxPromptLength: 20_000,
  resolutions: {
    '480p': { width: 854, height: 480 },
    '720p': { width: 1280, height: 720 },
    '768P': { width: 1366, height: 768 },
    '1080p': { width: 1920, height: 1080 },
    '2K': { width: 2560, height: 1440 },
    '4k': { width: 3840, height: 2160 },
  },
  models: [
    {
      id: 'kling-2.6',
      label: 'Kling 2.6',
      family: 'market',
      status: { state: 'live' },
      modes: {
        textToVideo: { kieModel: 'kling-2.6/text-to-video', aspectRatios: wide, images: { min: 0, max: 0 }, fixed: { sound: false } },
        imageToVideo: { kieModel: 'kling-2.6/image-to-video', images: { min: 1, max: 1 }, fixed: { sound: false } },
      },
      // No resolution choice: KIE renders 1080p (assumption, used only for the concurrency weight and timeout).
      resolutions: ['1080p'],
      durations: { list: [5, 10] },
      input: {
        promptMaxLength: 1_000,
        duration: { field: 'duration', type: 'string' },
        aspectRatio: { field: 'aspect_ratio' },
        images: { kind: 'list', field: 'image_urls' },
      },
      price: { per: 'clip', credits: { '1080p': { '5': 28, '10': 55 } } },
      source: 'KIE Kling 2.6 docs; 0.275 USD per 5 s clip without sound (sound is sent as false)',
    },
    {
      id: 'kling-3.0-turbo',
      label: 'Kling 3.0 Turbo',
      family: 'market',
      status: { state: 'live' },
      modes: {
        textToVideo: { kieModel: 'kling/v3-turbo-text-to-video', aspectRatios: wide, images: { min: 0, max: 0 } },
        imageToVideo: { kieModel: 'kling/v3-turbo-image-to-video', images: { min: 1, max: 1 } },
      },
      resolutions: ['720p', '1080p'],
      durations: { min: 3, max: 15 },
      input: {
        promptMaxLength: 2_500,
        duration: { field: 'duration', type: 'string' },
        resolution: { field: 'resolution', values: { '720p': '720p', '1080p': '1080p' } },
        aspectRatio: { field: 'aspect_ratio' },
        images: { kind: 'list', field: 'image_urls' },
      },
      price: { per: 'second', credits: { '720p': 9, '1080p': 11.25 } },
      source: 'KIE Kling 3.0 Turbo docs; 0.09 / 0.1125 USD per second',
    },
    {
      id: 'seedance-2',
      label: 'Seedance 2.0',
      family: 'market',
      status: { state: 'live' },
      modes: seedanceModes('bytedance/seedance-2'),
      resolutions: ['480p', '720p', '1080p'],
      durations: { min: 4, max: 15 },
      input: seedanceInput,
      price: { per: 'second', credits: { '480p': 9.2, '720p': 20.5, '1080p': 46.2 } },
      source: 'KIE Seedance 2.0 docs; 720p 0.205 USD per second; 480p and 1080p scaled by pixel count (assumption)',
    },
    {
      id: 'seedance-2-fast',
      label: 'Seedance 2.0 Fast',
      family: 'market',
      status: { state: 'live' },
      modes: seedanceModes('bytedance/seedance-2-fast'),
      resolutions: ['480p', '720p'],
      durations: { min: 4, max: 15 },
      input: { ...seedanceInput, resolution: { field: 'resolution', values: { '480p': '480p', '720p': '720p' } } },
      price: { per: 'second', credits: { '480p': 7.4, '720p': 16.5 } },
      source: 'KIE Seedance 2.0 Fast docs; 720p 0.165 USD per second; 480p scaled by pixel count (assumption)',
    },
    {
      id: 'wan-2.7',
      label: 'Wan 2.7',
      family: 'market',
      status: { state: 'live' },
      modes: {
        textToVideo: { kieModel: 'wan/2-7-text-to-video', aspectRatios: ['16:9', '9:16', '1:1', '4:3', '3:4'], images: { min: 0, max: 0 } },
        imageToVideo: { kieModel: 'wan/2-7-image-to-video', images: { min: 1, max: 2 } },
      },
      resolutions: ['720p', '1080p'],
      durations: { min: 2, max: 15 },
      input: {
        promptMaxLength: 5_000,
        duration: { field: 'duration', type: 'integer' },
        resolution: { field: 'resolution', values: { '720p': '720p', '1080p': '1080p' } },
        aspectRatio: { field: 'ratio' },
        images: { kind: 'frames', first: 'first_frame_url', last: 'last_frame_url' },
      },
      price: { per: 'second', credits: { '720p': 8, '1080p': 12 } },
      source: 'KIE Wan 2.7 docs; 0.08 / 0.12 USD per second',
    },
    {
      id: 'minimax-h3',
      label: 'MiniMax H3',
      family: 'market',
      status: { state: 'live' },
      modes: {
        textToVideo: { kieModel: 'minimax-h3/text-to-video', aspectRatios: ['16:9', '21:9', '4:3', '1:1', '3:4', '9:16'], images: { min: 0, max: 0 } },
        imageToVideo: { kieModel: 'minimax-h3/image-to-video', images: { min: 1, max: 2 } },
      },
      resolutions: ['768P', '2K'],
      durations: { min: 4, max: 15 },
      input: {
        promptMaxLength: 7_000,
        duration: { field: 'duration', type: 'integer' },
        resolution: { field: 'resolution', values: { '768P': '768P', '2K': '2K' } },
        aspectRatio: { field: 'aspect_ratio' },
        images: { kind: 'frames', first: 'first_frame_url', last: 'last_frame_url' },
      },
      price: { per: 'second', credits: { '768P': 8, '2K': 13 } },
      source: 'KIE MiniMax H3 docs; 0.08 / 0.13 USD per second',
    },
    veoModel('veo-3.1', 'Veo 3.1 Quality', 'veo3', 1.25),
    veoModel('veo-3.1-fast', 'Veo 3.1 Fast', 'veo3_fast', 0.3),
    veoModel('veo-3.1-lite', 'Veo 3.1 Lite', 'veo3_lite', 0.15),
    {
      id: 'sora-2',
      label: 'Sora 2',
      family: 'market',
      status: soraRetired,
      modes: {
        textToVideo: { kieModel: 'sora-2-text-to-video', aspectRatios: soraAspects, images: { min: 0, max: 0 } },
        imageToVideo: { kieModel: 'sora-2-image-to-video', aspectRatios: soraAspects, images: { min: 1, max: 1 } },
      },
      resolutions: ['720p'],
      durations: { list: [10, 15] },
      input: soraInput,
      price: { per: 'clip', credits: { '720p': { '10': 15, '15': 20 } } },
      source: 'the seed (platform credits per clip)',
    },
    {
      id: 'sora-2-pro',
      label: 'Sora 2 Pro',
      family: 'market',
      status: soraRetired,
      modes: {
        textToVideo: { kieModel: 'sora-2-pro-text-to-video', aspectRatios: soraAspects, images: { min: 0, max: 0 }, defaultResolution: '1080p' },
        imageToVideo: { kieModel: 'sora-2-pro-image-to-video', aspectRatios: soraAspects, images: { min: 1, max: 1 }, defaultResolution: '720p' },
      },
      resolutions: ['720p', '1080p'],
      durations: { list: [10, 15] },
      // Pro's text- and image-to-video default to different sizes: it is always sent.
      input: { ...soraInput, resolution: { field: 'size', values: { '720p': 'standard', '1080p': 'high' } } },
      price: {
        per: 'clip',
        credits: {
          '720p': { '10': 45, '15': 60 },
          '1080p': { '10': 100, '15': 130 },
        },
      },
      source: 'the seed (platform credits per clip)',
    },
  ],
};

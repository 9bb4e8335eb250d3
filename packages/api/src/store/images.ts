import type { TasksTable } from '../db/types.ts';

/** A task row's images in order (the image or first frame, then the last frame), as the engine and KIE take them. */
export function imagesOf(row: Pick<TasksTable, 'image_url' | 'last_frame_url'>): { imageUrls?: string[] } {
  const urls = [row.image_url, row.last_frame_url].filter((u): u is string => typeof u === 'string' && u !== '');
  return urls.length > 0 ? { imageUrls: urls } : {};
}

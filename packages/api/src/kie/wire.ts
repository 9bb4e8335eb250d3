/**
 * KIE's wire format for Market jobs' status (see kie-api.md; create bodies come from the catalog mapping).
 * Everything coming back from KIE is `unknown` until parsed here: copies of the docs disagree
 * (`msg` vs `message`, JSON strings vs objects), so the parsers accept both spellings.
 */

/** The `data` of a recordInfo response (and of a callback body), after the JSON strings are parsed. */
export interface KieRecord {
  taskId: string;
  model?: string;
  state: string;
  /** `param` as sent back by KIE, parsed from its JSON string (undefined when absent or unparsable). */
  param?: unknown;
  /** `resultJson` parsed from its JSON string. */
  result?: { resultUrls?: string[]; resultWaterMarkUrls?: string[] };
  failCode?: string | number;
  failMsg?: string;
  progress?: number;
  createTime?: number;
  completeTime?: number;
  updateTime?: number;
}

/** The common envelope `{ code, msg | message, data }`. */
export interface KieEnvelope {
  /** Body code when present; otherwise undefined (the caller falls back to the HTTP status). */
  code: number | undefined;
  message: string;
  data: unknown;
}

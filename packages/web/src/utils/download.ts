/**
 * Starts a browser download of an authenticated file. The link carries a short-lived download token (from
 * `me.linkToken`), never the API key, and the browser streams the file to disk (a ZIP of a big batch never
 * sits in the page's memory).
 */
export function downloadWithToken(url: string, token: string, fileName: string): void {
  const a = document.createElement('a');
  a.href = `${url}${url.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}`;
  a.download = fileName;
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
}

import { useState } from 'react';

/** A finished video: a link, and an inline player on demand (videos are heavy; none load until asked). */
export function TaskResult({ urls }: { urls: string[] }) {
  const [open, setOpen] = useState(false);
  const url = urls[0];
  if (!url) return <span className="muted">—</span>;
  return (
    <div className="stack" style={{ gap: 4 }}>
      <div className="row" style={{ gap: 8 }}>
        <a href={url} target="_blank" rel="noreferrer">
          Open video
        </a>
        <button type="button" className="btn btn-sm btn-ghost" onClick={() => setOpen((o) => !o)} aria-expanded={open}>
          {open ? 'Hide' : 'Play'}
        </button>
      </div>
      {open ? <video className="video-thumb" src={url} controls autoPlay muted playsInline preload="metadata" /> : null}
    </div>
  );
}

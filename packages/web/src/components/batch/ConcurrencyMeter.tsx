/** The concurrency level in force against the plan's: degradation shows as a drop, recovery as a climb back. */
export function ConcurrencyMeter({ level, planLevel, running }: { level: number; planLevel: number; running: number }) {
  const degraded = level < planLevel;
  return (
    <div className="stat" data-testid="concurrency">
      <div className="label">Effective concurrency</div>
      <div className="value">
        {level} <span className="muted small">/ {planLevel}</span>
      </div>
      <div className="small">
        {degraded ? <span className="badge warn">degraded</span> : <span className="badge ok">full</span>}{' '}
        <span className="muted">{running} running</span>
      </div>
    </div>
  );
}

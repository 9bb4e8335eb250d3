import { formatDuration, formatMinutes } from '../../lib/format.ts';
import { relativeTo, SEED_TABLE, seedFastPartMs, seedMakespanMs, type SeedMix } from '../../lib/seedTable.ts';
import { strategyColor } from '../../lib/simCharts.ts';
import type { MeasuredRow } from '../../lib/simResult.ts';

const fmt = (ms: number | null) => (ms === null ? '—' : formatDuration(ms));

/** The seed's published table beside what this run measured (compared cell by cell for table scenarios). */
export function SeedComparison({ plan, mix, measured }: { plan: string; mix: SeedMix | null; measured: MeasuredRow[] }) {
  const reference = mix ? seedMakespanMs(plan, mix) : null;
  const fastRef = mix ? seedFastPartMs(plan, mix) : null;
  return (
    <div className="stack">
      <section className="card" aria-label="Seed table">
        <div className="card-head">
          <h2>The seed's table</h2>
          <p>100 videos of 15 s</p>
        </div>
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th>Plan</th>
                <th className="num">all 720p</th>
                <th className="num">all 1080p</th>
                <th className="num">50:50</th>
                <th className="num">720p half done</th>
              </tr>
            </thead>
            <tbody>
              {SEED_TABLE.map((r) => (
                <tr key={r.plan} aria-selected={mix !== null && r.plan === plan ? true : undefined}>
                  <td>{r.plan}</td>
                  <td className="num nowrap">{formatMinutes(r.all720 * 60_000)}</td>
                  <td className="num nowrap">{formatMinutes(r.all1080 * 60_000)}</td>
                  <td className="num nowrap">{formatMinutes(r.mix * 60_000)}</td>
                  <td className="num nowrap">{formatMinutes(r.fastPart * 60_000)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      <section className="card" aria-label="Measured">
        <div className="card-head">
          <h2>Measured</h2>
          <p>{reference !== null ? `seed: ${fmt(reference)}${fastRef !== null ? `, 720p half ${fmt(fastRef)}` : ''}` : 'no seed figure for this scenario'}</p>
        </div>
        <div className="table-wrap">
          <table className="table" data-testid="measured-table">
            <thead>
              <tr>
                <th>Strategy</th>
                <th className="num">Makespan</th>
                <th className="num">vs seed</th>
                {fastRef !== null ? <th className="num">720p done</th> : null}
                <th className="num">Status calls / task</th>
                <th className="num">OK / failed</th>
              </tr>
            </thead>
            <tbody>
              {measured.map((m, i) => (
                <tr key={m.strategy}>
                  <td>
                    <span className="badge" style={{ color: strategyColor(m.strategy, i) }}>
                      {m.strategy}
                    </span>
                  </td>
                  <td className="num nowrap">{fmt(m.makespanMs)}</td>
                  <td className="num">{relativeTo(m.makespanMs, reference)}</td>
                  {fastRef !== null ? <td className="num nowrap">{fmt(m.fastPartDoneMs)}</td> : null}
                  <td className="num">{m.statusCallsPerTask.toFixed(1)}</td>
                  <td className="num">
                    {m.succeeded} / {m.failed}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </div>
  );
}

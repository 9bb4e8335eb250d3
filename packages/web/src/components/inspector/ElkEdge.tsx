import { BaseEdge, type Edge, type EdgeProps } from '@xyflow/react';
import type { Point } from './layout.ts';

export type ElkEdgeData = { points: Point[]; labelAt: Point | null; text: string; active: boolean; always: boolean };
export type ElkFlowEdge = Edge<ElkEdgeData, 'elk'>;

/** An edge drawn along ELK's orthogonal route (xyflow's own routing ignores the layout). */
export function ElkEdgeView({ id, data, markerEnd }: EdgeProps<ElkFlowEdge>) {
  if (!data || data.points.length < 2) return null;
  const path = data.points.map((p, i) => `${i === 0 ? 'M' : 'L'} ${p.x} ${p.y}`).join(' ');
  const lines = data.text.split('\n');
  return (
    <>
      <BaseEdge
        id={id}
        path={path}
        {...(markerEnd ? { markerEnd } : {})}
        // Eventless (`always`) transitions are dashed: nothing has to happen for them to be taken.
        style={{ stroke: data.active ? 'var(--accent)' : 'var(--muted)', strokeWidth: data.active ? 2 : 1.2, ...(data.always ? { strokeDasharray: '5 4' } : {}) }}
      />
      {data.labelAt ? (
        <text
          x={data.labelAt.x}
          y={data.labelAt.y - ((lines.length - 1) * 14) / 2}
          textAnchor="middle"
          dominantBaseline="middle"
          style={{ fontSize: 10.5, fill: 'var(--muted)', fontFamily: 'var(--mono)', paintOrder: 'stroke', stroke: 'var(--surface-2)', strokeWidth: 4 }}
        >
          {lines.map((l, i) => (
            <tspan key={l} x={data.labelAt!.x} dy={i === 0 ? 0 : 14}>
              {l}
            </tspan>
          ))}
        </text>
      ) : null}
    </>
  );
}

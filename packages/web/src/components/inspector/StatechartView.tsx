import { Controls, MarkerType, ReactFlow, ReactFlowProvider, type EdgeTypes, type NodeTypes } from '@xyflow/react';
import '@xyflow/react/dist/base.css';
import { useEffect, useMemo, useState } from 'react';
import type { ChartGraph } from '../../lib/statechart.ts';
import { ErrorState, Loading } from '../ui/States.tsx';
import { ElkEdgeView, type ElkFlowEdge } from './ElkEdge.tsx';
import { layoutChart, type ChartLayout } from './layout.ts';
import { GroupNodeView, StateNodeView, type GroupFlowNode, type StateFlowNode } from './StateNode.tsx';

/** An invisible node as large as the layout, so fitting the view keeps edges that bend outside the states. */
function BoundsNodeView() {
  return null;
}

const nodeTypes: NodeTypes = { state: StateNodeView, group: GroupNodeView, bounds: BoundsNodeView };
const edgeTypes: EdgeTypes = { elk: ElkEdgeView };

/** A statechart laid out by ELK and drawn by React Flow; `activeIds` light up. */
export function StatechartView({
  graph,
  activeIds,
  label,
  height = 520,
}: {
  graph: ChartGraph;
  activeIds: ReadonlySet<string>;
  label: string;
  height?: number;
}) {
  const [layout, setLayout] = useState<ChartLayout | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    let live = true;
    layoutChart(graph).then(
      (l) => live && setLayout(l),
      (err: unknown) => live && setError(err),
    );
    return () => {
      live = false;
    };
  }, [graph]);

  const nodes = useMemo(
    () => [
      ...(layout
        ? [
            {
              id: '__bounds',
              type: 'bounds',
              position: { x: 0, y: 0 },
              width: layout.width,
              height: layout.height,
              style: { width: layout.width, height: layout.height, pointerEvents: 'none' as const },
              zIndex: -1,
              draggable: false,
              selectable: false,
              focusable: false,
              data: {},
            },
          ]
        : []),
      ...(layout?.nodes ?? [])
        .slice()
        .sort((a, b) => a.depth - b.depth)
        .map((n): StateFlowNode | GroupFlowNode => ({
          id: n.id,
          type: n.kind === 'compound' || n.kind === 'parallel' ? 'group' : 'state',
          position: { x: n.x, y: n.y },
          width: n.width,
          height: n.height,
          style: { width: n.width, height: n.height },
          zIndex: n.depth,
          draggable: false,
          selectable: false,
          connectable: false,
          data: { label: n.label, kind: n.kind, initial: n.initial, active: activeIds.has(n.id) },
        })),
    ],
    [layout, activeIds],
  );
  const edges = useMemo(
    () =>
      (layout?.edges ?? []).map(
        (e): ElkFlowEdge => ({
          id: e.id,
          source: e.source,
          target: e.target,
          type: 'elk',
          zIndex: 10,
          selectable: false,
          markerEnd: { type: MarkerType.ArrowClosed, width: 16, height: 16 },
          data: { points: e.points, labelAt: e.labelAt, text: e.label, active: activeIds.has(e.source), always: e.always },
        }),
      ),
    [layout, activeIds],
  );

  if (error) return <ErrorState error={error} title="Could not lay out the statechart" />;
  if (!layout) return <Loading label="Laying out…" />;
  return (
    <div className="chart-frame" style={{ height }} role="group" aria-label={label} data-testid={`statechart-${graph.rootId}`}>
      <ReactFlowProvider>
        <ReactFlow
          nodes={nodes}
          edges={edges}
          nodeTypes={nodeTypes}
          edgeTypes={edgeTypes}
          fitView
          fitViewOptions={{ padding: 0.08 }}
          minZoom={0.2}
          nodesDraggable={false}
          nodesConnectable={false}
          elementsSelectable={false}
          nodesFocusable={false}
          edgesFocusable={false}
          proOptions={{ hideAttribution: true }}
        >
          <Controls showInteractive={false} position="bottom-right" />
        </ReactFlow>
      </ReactFlowProvider>
    </div>
  );
}

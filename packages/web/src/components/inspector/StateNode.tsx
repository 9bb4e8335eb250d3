import { Handle, Position, type Node, type NodeProps } from '@xyflow/react';
import type { ChartNodeKind } from '../../lib/statechart.ts';

export type StateNodeData = { label: string; kind: ChartNodeKind; initial: boolean; active: boolean };
export type StateFlowNode = Node<StateNodeData, 'state'>;
export type GroupFlowNode = Node<StateNodeData, 'group'>;

const hidden = { opacity: 0, pointerEvents: 'none' as const };

function Handles() {
  return (
    <>
      <Handle type="target" position={Position.Top} style={hidden} isConnectable={false} />
      <Handle type="source" position={Position.Bottom} style={hidden} isConnectable={false} />
    </>
  );
}

/** An atomic or final state: lit up while the picked actor is in it. */
export function StateNodeView({ data }: NodeProps<StateFlowNode>) {
  return (
    <div
      className={`statechart-node${data.kind === 'final' ? ' final' : ''}${data.active ? ' active' : ''}`}
      data-state-node={data.label}
      data-active={data.active || undefined}
      style={{ width: '100%', height: '100%', display: 'grid', placeItems: 'center' }}
    >
      <span>
        {data.initial ? <span aria-hidden="true">● </span> : null}
        {data.label}
      </span>
      <Handles />
    </div>
  );
}

/** A compound state: a labelled container around its children. */
export function GroupNodeView({ data }: NodeProps<GroupFlowNode>) {
  return (
    <div
      className={`statechart-group${data.active ? ' active' : ''}`}
      data-state-node={data.label}
      data-active={data.active || undefined}
      style={{ width: '100%', height: '100%' }}
    >
      {data.label}
      <Handles />
    </div>
  );
}

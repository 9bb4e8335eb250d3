import ELK, { type ElkExtendedEdge, type ElkNode } from 'elkjs/lib/elk.bundled.js';
import type { ChartGraph, ChartNodeKind } from '../../lib/statechart.ts';

export interface Point {
  x: number;
  y: number;
}

export interface PlacedNode {
  id: string;
  label: string;
  kind: ChartNodeKind;
  initial: boolean;
  /** Absolute position (top-left) in the diagram. */
  x: number;
  y: number;
  width: number;
  height: number;
  depth: number;
}

export interface PlacedEdge {
  id: string;
  source: string;
  target: string;
  label: string;
  always: boolean;
  points: Point[];
  labelAt: Point | null;
}

export interface ChartLayout {
  nodes: PlacedNode[];
  edges: PlacedEdge[];
  width: number;
  height: number;
}

const elk = new ELK();

const CHAR_W = 7.2;
const LABEL_CHAR_W = 6.2;
const NODE_H = 34;

function labelSize(text: string) {
  const lines = text.split('\n');
  return { width: Math.max(...lines.map((l) => l.length)) * LABEL_CHAR_W + 8, height: lines.length * 14 + 4 };
}

/** Lays a statechart out with ELK's layered algorithm, compound states as nested containers. */
export async function layoutChart(graph: ChartGraph): Promise<ChartLayout> {
  const elkNodes = new Map<string, ElkNode>();
  for (const n of graph.nodes) {
    const isGroup = n.kind === 'compound' || n.kind === 'parallel';
    elkNodes.set(n.id, {
      id: n.id,
      ...(isGroup
        ? { layoutOptions: { 'elk.padding': '[top=32,left=16,bottom=16,right=16]' }, children: [] }
        : { width: Math.max(96, n.label.length * CHAR_W + 32 + (n.initial ? 16 : 0)), height: NODE_H }),
    });
  }
  const root: ElkNode = {
    id: '__root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'DOWN',
      'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
      'elk.layered.spacing.nodeNodeBetweenLayers': '56',
      'elk.spacing.nodeNode': '36',
      'elk.spacing.edgeLabel': '4',
      'elk.edgeRouting': 'ORTHOGONAL',
      // The machine's declaration order is its forward direction (init, queued, submitting, polling, ...):
      // transitions back to an earlier state (a retry, a resume) become the upward edges. Of the option sets
      // tried, this one crosses the fewest edges on the task machine (layout.test.ts counts them).
      'elk.layered.cycleBreaking.strategy': 'MODEL_ORDER',
      'elk.layered.layering.strategy': 'NETWORK_SIMPLEX',
      'elk.layered.thoroughness': '40',
      'elk.spacing.edgeEdge': '8',
      'elk.layered.spacing.edgeEdgeBetweenLayers': '8',
      'elk.layered.spacing.edgeNodeBetweenLayers': '12',
      'elk.padding': '[top=16,left=16,bottom=16,right=16]',
    },
    children: [],
  };
  for (const n of graph.nodes) {
    const parent = n.parent ? elkNodes.get(n.parent) : root;
    (parent ?? root).children!.push(elkNodes.get(n.id)!);
  }
  root.edges = graph.edges.map(
    (e): ElkExtendedEdge => ({
      id: e.id,
      sources: [e.source],
      targets: [e.target],
      labels: e.label ? [{ text: e.label, ...labelSize(e.label) }] : [],
    }),
  );
  const laid = await elk.layout(root);

  const abs = new Map<string, Point>([['__root', { x: 0, y: 0 }]]);
  const nodes: PlacedNode[] = [];
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  function walk(node: ElkNode, offset: Point, depth: number) {
    for (const child of node.children ?? []) {
      const at = { x: offset.x + (child.x ?? 0), y: offset.y + (child.y ?? 0) };
      abs.set(child.id, at);
      const info = byId.get(child.id)!;
      nodes.push({ id: child.id, label: info.label, kind: info.kind, initial: info.initial, x: at.x, y: at.y, width: child.width ?? 0, height: child.height ?? 0, depth });
      walk(child, at, depth + 1);
    }
  }
  walk(laid, { x: 0, y: 0 }, 0);

  const edges: PlacedEdge[] = [];
  const edgeInfo = new Map(graph.edges.map((e) => [e.id, e]));
  for (const e of (laid.edges ?? []) as (ElkExtendedEdge & { container?: string })[]) {
    const info = edgeInfo.get(e.id);
    if (!info) continue;
    const off = abs.get(e.container ?? '__root') ?? { x: 0, y: 0 };
    const section = e.sections?.[0];
    const points = section
      ? [section.startPoint, ...(section.bendPoints ?? []), section.endPoint].map((p) => ({ x: p.x + off.x, y: p.y + off.y }))
      : [];
    const l = e.labels?.[0];
    edges.push({
      id: e.id,
      source: info.source,
      target: info.target,
      label: info.label,
      always: info.always,
      points,
      labelAt: l && l.x !== undefined && l.y !== undefined ? { x: l.x + off.x + (l.width ?? 0) / 2, y: l.y + off.y + (l.height ?? 0) / 2 } : null,
    });
  }
  return { nodes, edges, width: laid.width ?? 0, height: laid.height ?? 0 };
}

// Charts over the loaded rows (Chart.js through react-chartjs-2; this module is a lazy
// chunk). Counts grouped by any attribute (bar or doughnut, top N + "Other"), and
// meta.created / meta.lastModified over time. Animation is off: charts are read, not watched.
import {
  ArcElement,
  BarElement,
  CategoryScale,
  Chart as ChartJS,
  Legend,
  LinearScale,
  Tooltip,
} from 'chart.js';
import { useMemo, useState } from 'react';
import { Bar, Doughnut } from 'react-chartjs-2';
import { Col, Form, Row, ToggleButton, ToggleButtonGroup } from 'react-bootstrap';
import type { ScimResource } from '../../scim/list-response';
import { countBy, countOverTime } from './chart-data';

ChartJS.register(ArcElement, BarElement, CategoryScale, LinearScale, Tooltip, Legend);

const PALETTE = [
  '#0d6efd',
  '#198754',
  '#fd7e14',
  '#6f42c1',
  '#d63384',
  '#20c997',
  '#ffc107',
  '#0dcaf0',
  '#6c757d',
  '#dc3545',
  '#6610f2',
  '#adb5bd',
];

export interface ResultsChartProps {
  rows: ScimResource[];
  /** Attribute paths to group by (the table's columns and attributes found in the data). */
  paths: string[];
  defaultPath?: string;
  /** Every page is loaded (no "fetch all" hint needed). */
  complete?: boolean;
}

export default function ResultsChart({ rows, paths, defaultPath, complete }: ResultsChartProps) {
  const [kind, setKind] = useState<'group' | 'time'>('group');
  const [path, setPath] = useState(defaultPath ?? paths[0] ?? 'active');
  const [shape, setShape] = useState<'bar' | 'doughnut'>('bar');
  const [topN, setTopN] = useState(10);
  const [timePath, setTimePath] = useState<'meta.created' | 'meta.lastModified'>('meta.created');
  const [unit, setUnit] = useState<'month' | 'year'>('month');

  const grouped = useMemo(() => countBy(rows, path, topN), [rows, path, topN]);
  const overTime = useMemo(() => countOverTime(rows, timePath, unit), [rows, timePath, unit]);
  const textColor =
    getComputedStyle(document.documentElement).getPropertyValue('--bs-body-color').trim() ||
    '#212529';

  const common = {
    animation: false as const,
    responsive: true,
    maintainAspectRatio: false,
    plugins: {
      legend: { display: kind === 'group' && shape === 'doughnut', labels: { color: textColor } },
    },
  };
  const axes = {
    x: { ticks: { color: textColor } },
    y: { beginAtZero: true, ticks: { color: textColor, precision: 0 } },
  };

  const summary =
    kind === 'group'
      ? `Rows by ${path}: ${grouped.labels.map((l, i) => `${l} ${grouped.counts[i]}`).join(', ')}`
      : `Rows by ${unit} of ${timePath}: ${overTime.labels.map((l, i) => `${l} ${overTime.counts[i]}`).join(', ')}`;

  return (
    <div>
      <Row className="g-2 align-items-end mb-2">
        <Col xs="auto">
          <ToggleButtonGroup
            type="radio"
            name="chart-kind"
            value={kind}
            onChange={(v: 'group' | 'time') => setKind(v)}
            size="sm"
          >
            <ToggleButton id="chart-kind-group" value="group" variant="outline-primary">
              Counts by attribute
            </ToggleButton>
            <ToggleButton id="chart-kind-time" value="time" variant="outline-primary">
              Over time
            </ToggleButton>
          </ToggleButtonGroup>
        </Col>
        {kind === 'group' ? (
          <>
            <Col xs="auto">
              <Form.Label htmlFor="chart-path" className="small mb-0">
                Group by
              </Form.Label>
              <Form.Select
                id="chart-path"
                size="sm"
                value={path}
                onChange={(e) => setPath(e.target.value)}
              >
                {paths.map((p) => (
                  <option key={p} value={p}>
                    {p}
                  </option>
                ))}
              </Form.Select>
            </Col>
            <Col xs="auto">
              <Form.Label htmlFor="chart-top" className="small mb-0">
                Top
              </Form.Label>
              <Form.Select
                id="chart-top"
                size="sm"
                value={topN}
                onChange={(e) => setTopN(Number(e.target.value))}
              >
                {[5, 10, 20, 50].map((n) => (
                  <option key={n} value={n}>
                    {n}
                  </option>
                ))}
              </Form.Select>
            </Col>
            <Col xs="auto">
              <ToggleButtonGroup
                type="radio"
                name="chart-shape"
                value={shape}
                onChange={(v: 'bar' | 'doughnut') => setShape(v)}
                size="sm"
              >
                <ToggleButton id="chart-shape-bar" value="bar" variant="outline-secondary">
                  Bar
                </ToggleButton>
                <ToggleButton
                  id="chart-shape-doughnut"
                  value="doughnut"
                  variant="outline-secondary"
                >
                  Doughnut
                </ToggleButton>
              </ToggleButtonGroup>
            </Col>
          </>
        ) : (
          <>
            <Col xs="auto">
              <Form.Label htmlFor="chart-time" className="small mb-0">
                Date
              </Form.Label>
              <Form.Select
                id="chart-time"
                size="sm"
                value={timePath}
                onChange={(e) => setTimePath(e.target.value as typeof timePath)}
              >
                <option value="meta.created">Created (meta.created)</option>
                <option value="meta.lastModified">Last modified (meta.lastModified)</option>
              </Form.Select>
            </Col>
            <Col xs="auto">
              <Form.Label htmlFor="chart-unit" className="small mb-0">
                Per
              </Form.Label>
              <Form.Select
                id="chart-unit"
                size="sm"
                value={unit}
                onChange={(e) => setUnit(e.target.value as 'month' | 'year')}
              >
                <option value="month">month</option>
                <option value="year">year</option>
              </Form.Select>
            </Col>
          </>
        )}
      </Row>
      <p className="small text-body-secondary mb-1">
        Over the {rows.length} loaded row{rows.length === 1 ? '' : 's'}
        {kind === 'time' && overTime.missing > 0
          ? ` (${overTime.missing} without ${timePath})`
          : ''}
        .{complete ? '' : ' Fetch all pages to chart everything.'}
      </p>
      {/* The summary is the chart's text alternative; react-chartjs-2 gives each canvas
          role="img" without a name, so the canvases are hidden from assistive technology. */}
      <div style={{ height: '22rem' }} role="img" aria-label={summary.slice(0, 600)}>
        {kind === 'group' && shape === 'bar' && (
          <Bar
            aria-hidden="true"
            data={{
              labels: grouped.labels,
              datasets: [{ label: 'Rows', data: grouped.counts, backgroundColor: PALETTE[0] }],
            }}
            options={{ ...common, scales: axes }}
          />
        )}
        {kind === 'group' && shape === 'doughnut' && (
          <Doughnut
            aria-hidden="true"
            data={{
              labels: grouped.labels,
              datasets: [
                {
                  label: 'Rows',
                  data: grouped.counts,
                  backgroundColor: grouped.labels.map((_, i) => PALETTE[i % PALETTE.length]!),
                },
              ],
            }}
            options={common}
          />
        )}
        {kind === 'time' && (
          <Bar
            aria-hidden="true"
            data={{
              labels: overTime.labels,
              datasets: [{ label: 'Rows', data: overTime.counts, backgroundColor: PALETTE[1] }],
            }}
            options={{ ...common, scales: axes }}
          />
        )}
      </div>
    </div>
  );
}

// The visual filter builder: react-querybuilder with its Bootstrap controls, fields
// from the connection's schema, nested AND/OR groups with NOT, and value-path groups
// (`emails[type eq "work" and value co "@x"]`) for complex multi-valued attributes.
import { QueryBuilderBootstrap } from '@react-querybuilder/bootstrap';
import { useMemo, type ChangeEvent } from 'react';
import { Badge, Form } from 'react-bootstrap';
import {
  QueryBuilder,
  toOptions,
  useValueSelector,
  type ActionProps,
  type CombinatorSelectorProps,
  type FieldSelectorProps,
  type FullField,
  type RuleGroupTypeAny,
  type RuleType,
  type ValueEditorProps,
  type ValueSelectorProps,
} from 'react-querybuilder';
import 'react-querybuilder/dist/query-builder.css';
import { isoToLocalInput, localInputToIso } from './datetime';
import type { ScimRuleGroup } from './filter-model';
import type { ScimField } from './fields';
import './filter-builder.css';

interface BuilderContext {
  fields: ScimField[];
  byName: Map<string, ScimField>;
  valuePathFields: ScimField[];
}

/** The value-path attribute that applies at a group position (the group itself or an ancestor). */
export function valuePathAt(
  query: RuleGroupTypeAny | undefined,
  path: readonly number[],
): string | null {
  if (!query) return null;
  let node: unknown = query;
  let found = (query as ScimRuleGroup).scimPath ?? null;
  for (const i of path) {
    if (found) return found;
    const rules = (node as ScimRuleGroup).rules;
    node = rules?.[i];
    if (!node || typeof node !== 'object') return found;
    found = (node as ScimRuleGroup).scimPath ?? null;
  }
  return found;
}

function defaultRule(field: ScimField | undefined): Partial<RuleType> {
  if (!field) return {};
  return {
    field: field.name,
    operator: field.defaultOperator ?? 'eq',
    value: field.defaultValue ?? '',
  };
}

function subFieldsOf(ctx: BuilderContext, path: string): ScimField[] {
  return ctx.fields.filter((f) => f.parent === path);
}

function firstSubField(ctx: BuilderContext, path: string): ScimField | undefined {
  const subs = subFieldsOf(ctx, path);
  return subs.find((f) => f.name.endsWith('.value')) ?? subs[0];
}

/** react-querybuilder's select with an accessible name (its default has only a title). */
function ValueSelector(props: ValueSelectorProps) {
  const { onChange, val } = useValueSelector({
    handleOnChange: props.handleOnChange,
    listsAsArrays: props.listsAsArrays,
    multiple: props.multiple,
    value: props.value,
  });
  return (
    <select
      className={`form-select form-select-sm w-auto ${props.className ?? ''}`}
      title={props.title}
      aria-label={props.title}
      value={val as string | string[] | undefined}
      multiple={props.multiple}
      disabled={props.disabled}
      onChange={(e) =>
        onChange(
          props.multiple ? Array.from(e.target.selectedOptions, (o) => o.value) : e.target.value,
        )
      }
    >
      {toOptions(props.options)}
    </select>
  );
}

function ScimFieldSelector(props: FieldSelectorProps) {
  const ctx = props.context as BuilderContext;
  const within = valuePathAt(props.schema.getQuery(), props.path.slice(0, -1));
  const options = useMemo(() => {
    const list = props.options as FullField[];
    return within
      ? list.filter((o) => (ctx.byName.get(o.name) as ScimField | undefined)?.parent === within)
      : list;
  }, [props.options, within, ctx]);
  return (
    <ValueSelector
      {...props}
      options={options}
      title={within ? `Sub-attribute of ${within}` : 'Attribute'}
    />
  );
}

function ScimCombinatorSelector(props: CombinatorSelectorProps) {
  const g = props.ruleGroup as ScimRuleGroup;
  return (
    <span className="d-inline-flex align-items-center gap-2">
      {g.scimPath && (
        <Badge
          bg="info"
          text="dark"
          className="font-monospace"
          title={`Matches when one ${g.scimPath} value meets all these conditions`}
        >
          {g.scimPath}[ … ]
        </Badge>
      )}
      <ValueSelector {...props} title={props.title ?? 'Combine conditions with'} />
    </span>
  );
}

function AddGroupAction(props: ActionProps) {
  const ctx = props.context as BuilderContext;
  const within = valuePathAt(props.schema.getQuery(), props.path);
  return (
    <span className="d-inline-flex gap-1">
      <button
        type="button"
        className={props.className}
        title={props.title}
        disabled={props.disabled}
        onClick={(e) => props.handleOnClick(e)}
      >
        {props.label}
      </button>
      {!within && ctx.valuePathFields.length > 0 && (
        <Form.Select
          size="sm"
          className="w-auto"
          aria-label="Add a value filter on a multi-valued attribute"
          title="Add a value filter: conditions that one value of a multi-valued attribute must meet together"
          value=""
          disabled={props.disabled}
          onChange={(e: ChangeEvent<HTMLSelectElement>) => {
            if (e.target.value) props.handleOnClick(undefined, { valuePath: e.target.value });
          }}
        >
          <option value="">+ Value filter…</option>
          {ctx.valuePathFields.map((f) => (
            <option key={f.name} value={f.name}>
              {f.label} [ … ]
            </option>
          ))}
        </Form.Select>
      )}
    </span>
  );
}

function ScimValueEditor(props: ValueEditorProps) {
  const field = props.fieldData as unknown as ScimField;
  if (props.operator === 'pr') return null;
  const label = `${field?.label ?? 'Attribute'} value`;
  if (field?.scimType === 'dateTime') {
    return (
      <Form.Control
        type="datetime-local"
        step={1}
        size="sm"
        className={`${props.className ?? ''} w-auto`}
        title={`${props.title ?? 'Value'} (your local time; sent as UTC)`}
        aria-label={`${label} (your local time; sent as UTC)`}
        value={isoToLocalInput(props.value)}
        disabled={props.disabled}
        onChange={(e) => props.handleOnChange(localInputToIso(e.target.value))}
      />
    );
  }
  if (props.type === 'select' && props.values) {
    return (
      <ValueSelector
        {...(props as unknown as ValueSelectorProps)}
        options={props.values}
        title={label}
        value={props.value}
        handleOnChange={props.handleOnChange}
      />
    );
  }
  return (
    <Form.Control
      size="sm"
      type={props.inputType === 'number' ? 'number' : 'text'}
      className={props.className}
      title={props.title}
      aria-label={label}
      value={props.value ?? ''}
      disabled={props.disabled}
      onChange={(e) => {
        const v = e.target.value;
        props.handleOnChange(
          props.inputType === 'number' && v !== '' && Number.isFinite(Number(v)) ? Number(v) : v,
        );
      }}
    />
  );
}

export interface FilterBuilderProps {
  fields: ScimField[];
  query: ScimRuleGroup;
  onQueryChange: (q: ScimRuleGroup) => void;
  disabled?: boolean;
}

export default function FilterBuilder({
  fields,
  query,
  onQueryChange,
  disabled,
}: FilterBuilderProps) {
  const ctx = useMemo<BuilderContext>(
    () => ({
      fields,
      byName: new Map(fields.map((f) => [f.name, f])),
      valuePathFields: fields.filter((f) => f.valuePathable),
    }),
    [fields],
  );
  return (
    <QueryBuilderBootstrap>
      <QueryBuilder
        fields={fields}
        query={query}
        onQueryChange={(q) => onQueryChange(q as ScimRuleGroup)}
        combinators={[
          { name: 'and', value: 'and', label: 'All of (AND)' },
          { name: 'or', value: 'or', label: 'Any of (OR)' },
        ]}
        // New conditions start on the attribute people filter by most, not on `id`.
        getDefaultField={() =>
          (ctx.byName.has('userName')
            ? 'userName'
            : ctx.byName.has('displayName')
              ? 'displayName'
              : fields[0]?.name) ?? ''
        }
        showNotToggle
        addRuleToNewGroups
        resetOnFieldChange
        disabled={disabled}
        context={ctx}
        translations={{
          addRule: { label: '+ Condition', title: 'Add a condition' },
          addGroup: { label: '+ Group', title: 'Add a nested group' },
          removeRule: { label: '×', title: 'Remove this condition' },
          removeGroup: { label: '×', title: 'Remove this group' },
          notToggle: { label: 'Not', title: 'Negate this group (NOT)' },
          fields: { title: 'Attribute', placeholderLabel: 'Choose an attribute…' },
          operators: { title: 'Operator' },
          value: { title: 'Value' },
        }}
        controlElements={{
          fieldSelector: ScimFieldSelector,
          combinatorSelector: ScimCombinatorSelector,
          addGroupAction: AddGroupAction,
          valueEditor: ScimValueEditor,
          valueSelector: ValueSelector,
        }}
        onAddGroup={(group, parentPath, q, context?: { valuePath?: string }) => {
          const within = valuePathAt(q, parentPath);
          const path = context?.valuePath;
          if (path) {
            if (within) return false;
            const sub = firstSubField(ctx, path);
            const typeField = ctx.byName.get(`${path}.type`);
            const rules: RuleType[] = [];
            if (typeField)
              rules.push({
                ...(defaultRule(typeField) as RuleType),
                id: `${group.id ?? 'g'}-t`,
                value: typeField.canonicalValues?.includes('work')
                  ? 'work'
                  : (typeField.defaultValue ?? ''),
              });
            if (sub && sub !== typeField)
              rules.push({ ...(defaultRule(sub) as RuleType), id: `${group.id ?? 'g'}-v` });
            return { ...group, combinator: 'and', scimPath: path, rules };
          }
          if (within) {
            const sub = firstSubField(ctx, within);
            return {
              ...group,
              rules: group.rules.map((r) => ('rules' in r ? r : { ...r, ...defaultRule(sub) })),
            };
          }
          return true;
        }}
        onAddRule={(rule, parentPath, q) => {
          const within = valuePathAt(q, parentPath);
          if (!within) return true;
          return { ...rule, ...defaultRule(firstSubField(ctx, within)) } as RuleType;
        }}
      />
    </QueryBuilderBootstrap>
  );
}

/**
 * Random JSON-ish bodies for comparing the fast record path with the
 * exact one: mostly plain records, with every oddity the fast path must
 * hand over (escapes, non-ASCII, comments, repeated names, arrays in
 * wanted fields, deep nesting, syntax errors, cut records, root arrays
 * and scalars).
 */
import fc from 'fast-check';

/** The fields the generated jobs want; `a.b` reaches into objects. */
export const WANTED = ['time', 'value', 'a.b', 'x'];

const names = fc.constantFrom('time', 'value', 'a', 'b', 'x', 'a.b', 'other',
  'caf\u00e9', 'ti\\u006de', '');

const scalar = fc.oneof(
  fc.constantFrom('1403481600', '-5', '0', '1.5e3', '12.25', 'true',
    'false', 'null', '"1403481600"', '"AAL"', '""', '"a\\"b"',
    '"\\u00e9t\u00e9"', '"tab\\tx"', '01', '1.', '-', 'tru', 'nul1',
    '"\u0001"', '"\\q"', '1e', '"2015-12-07T00:00:00+0000"'),
  fc.integer({ min: -1e6, max: 2e9 }).map(String),
);

type Tree = { kind: 'scalar'; text: string } | { kind: 'array'; items: Tree[] }
  | { kind: 'object'; members: [string, Tree][] };

const tree: fc.Arbitrary<Tree> = fc.letrec<{ node: Tree }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 6, arbitrary: scalar.map((text) => ({ kind: 'scalar', text })) },
    {
      weight: 1,
      arbitrary: fc.array(tie('node'), { maxLength: 3 })
        .map((items) => ({ kind: 'array', items })),
    },
    {
      weight: 1,
      arbitrary: fc.array(fc.tuple(names, tie('node')), { maxLength: 4 })
        .map((members) => ({ kind: 'object', members })),
    },
  ) as fc.Arbitrary<Tree>,
})).node;

const space = fc.constantFrom('', '', '', ' ', '\n', '\r\n', '\t ',
  '/*c*/', '//c\n');

function render(node: Tree, gap: string): string {
  if (node.kind === 'scalar') return node.text;
  if (node.kind === 'array') {
    return `[${node.items.map((n) => render(n, gap)).join(`,${gap}`)}]`;
  }
  const body = node.members
    .map(([name, value]) => `"${name}":${gap}${render(value, gap)}`)
    .join(`,${gap}`);
  return `{${gap}${body}${gap}}`;
}

/** A plain record most of the time, so the fast path has work to do. */
const plainRecord = fc.record({
  time: fc.integer({ min: 1403481600, max: 1403581600 }),
  value: fc.option(fc.constantFrom('1.5', '"x"', 'null', 'true'),
    { nil: undefined }),
  nested: fc.boolean(),
  extra: fc.nat({ max: 2 }),
}).map(({ time, value, nested, extra }) => {
  const members = [`"time":${time}`];
  if (value !== undefined) members.push(`"value":${value}`);
  if (nested) members.push('"a":{"b":"AAL","c":[1,"two",null]}');
  for (let i = 0; i < extra; i += 1) members.push(`"e${i}":"s"`);
  return `{${members.join(',')}}`;
});

const oddRecord = fc.tuple(tree, space).map(([node, gap]) =>
  render(node.kind === 'object' ? node
    : { kind: 'object', members: [['v', node]] }, gap));

const piece = fc.oneof(
  { weight: 6, arbitrary: plainRecord },
  { weight: 3, arbitrary: oddRecord },
  {
    weight: 1,
    arbitrary: fc.constantFrom('{', '}', ']', '[', ',', '"', '123 ', 'x',
      '{"time":1,"time":2}', '{"a":{"b":1},"a.b":2}', '[{"time":3}]',
      '\u00ff', '{"time":1,}', '{,"time":1}', '{"a":{}}', '{}',
      '{"x":[1,[2]]}', '{"time":"\\u0031"}'),
  },
);

/** A body of records and oddities with separators between them. */
export const body = fc.array(fc.tuple(piece, space), { maxLength: 12 })
  .map((parts) => parts.map(([p, s]) => p + s).join(''));

/** As WANTED, with a name long enough to span three 32-bit words. */
export const SHAPED_WANTED = [...WANTED, 'responsetime'];

const shapeNames = fc.uniqueArray(
  fc.constantFrom('time', 'value', 'x', 'a.b', 'other', 'e0', 'tim',
    'responsetime', 'sourcetype'),
  { minLength: 1, maxLength: 5 },
);

/** Ways a record can differ from the shape of the one before it. */
const change = fc.constantFrom('none', 'none', 'none', 'none', 'drop',
  'extra', 'repeat', 'swap', 'longer', 'shorter', 'object', 'array',
  'spaces', 'escape', 'comment', 'cut', 'trailing', 'inner');

function shapedRecord(
  names: string[], values: string[], how: string, gap: string,
): string {
  const members = names.map((name, i) => [name, values[i % values.length]]);
  const last = members.length - 1;
  if (how === 'drop') members.splice(last, 1);
  if (how === 'extra') members.push(['e1', '2']);
  if (how === 'repeat') members.push([names[0], '3']);
  if (how === 'swap' && last > 0) members.reverse();
  if (how === 'longer') members[last][0] += 'e';
  if (how === 'shorter') members[last][0] = members[last][0].slice(0, -1);
  if (how === 'inner') {
    const name = members[last][0];
    const at = name.length >> 1;
    members[last][0] = `${name.slice(0, at)}Z${name.slice(at + 1)}`;
  }
  if (how === 'object') members[last][1] = '{"b":"AAL"}';
  if (how === 'array') members[last][1] = '[1,"s",null]';
  if (how === 'escape') members[0][0] = members[0][0].replace(/^./, '\\u0074');
  const sep = how === 'spaces' ? ` ${gap} ,${gap}` : ',';
  const colon = how === 'spaces' ? `${gap}:${gap}` : ':';
  const comment = how === 'comment' ? '/*c*/' : '';
  const text = members.map(([n, v]) => `"${n}"${colon}${comment}${v}`)
    .join(sep);
  const record = `{${how === 'spaces' ? gap : ''}${text}`
    + `${how === 'trailing' ? ',' : ''}}`;
  return how === 'cut' ? record.slice(0, record.length >> 1) : record;
}

/**
 * Runs of records that repeat one set of names in one order, so the fast
 * path reads most of them by the shape of the one before, with now and
 * then a record that differs from it in one way.
 */
export const shapedBody = fc.tuple(
  shapeNames,
  fc.array(fc.tuple(fc.array(scalar, { minLength: 1, maxLength: 3 }), change,
    space), { minLength: 1, maxLength: 10 }),
).map(([names, records]) => records
  .map(([values, how, gap]) => `${shapedRecord(names, values, how, gap)}\n`)
  .join(''));

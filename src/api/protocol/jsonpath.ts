// The JSONPath subset printer columns use: .a.b, ['escaped\.key'], [N], [?(@.k=="v")].

type Step = { key: string } | { index: number } | { filter: { key: string; value: string } };

function parse(path: string): Step[] {
  const steps: Step[] = [];
  let i = 0;
  while (i < path.length) {
    if (path[i] === ".") {
      let j = i + 1;
      while (j < path.length && path[j] !== "." && path[j] !== "[") j++;
      if (j > i + 1) steps.push({ key: path.slice(i + 1, j) });
      i = j;
    } else if (path.startsWith("[?(", i)) {
      const end = path.indexOf(")]", i);
      const m = path.slice(i + 3, end).match(/^@\.([\w.-]+)\s*==\s*["'](.*)["']$/);
      if (m) steps.push({ filter: { key: m[1], value: m[2] } });
      i = end + 2;
    } else if (path[i] === "[") {
      const end = path.indexOf("]", i);
      const inner = path.slice(i + 1, end);
      if (/^\d+$/.test(inner)) steps.push({ index: Number(inner) });
      else steps.push({ key: inner.replace(/^['"]|['"]$/g, "").replace(/\\\./g, ".") });
      i = end + 1;
    } else i++;
  }
  return steps;
}

export function evaluate(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const step of parse(path)) {
    if (cur === undefined || cur === null) return undefined;
    if ("key" in step) cur = (cur as Record<string, unknown>)[step.key];
    else if ("index" in step) cur = Array.isArray(cur) ? cur[step.index] : undefined;
    else cur = Array.isArray(cur) ? cur.find((e) => (e as Record<string, unknown>)?.[step.filter.key] === step.filter.value) : undefined;
  }
  return cur;
}

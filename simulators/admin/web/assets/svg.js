// One SVG element with its attributes, appended to a parent when given.
const SVG = 'http://www.w3.org/2000/svg';

export function el(name, attrs, parent) {
  const e = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs ?? {})) e.setAttribute(k, String(v));
  if (parent) parent.appendChild(e);
  return e;
}

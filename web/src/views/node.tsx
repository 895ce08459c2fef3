export function NodeView() {
  return <section data-testid="node"><h1>Node</h1></section>;
}

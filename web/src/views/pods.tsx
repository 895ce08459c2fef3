export function PodsView() {
  return <section data-testid="pods"><h1>Pods</h1></section>;
}

export function PodView({ namespace, name, tab }: { namespace: string; name: string; tab: string }) {
  return <section data-testid="pod"><h1>{namespace}/{name} {tab}</h1></section>;
}

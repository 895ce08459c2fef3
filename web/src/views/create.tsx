export function CreateView() {
  return <section data-testid="create"><h1>Create</h1></section>;
}

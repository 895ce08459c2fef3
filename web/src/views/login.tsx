// What a browser without a session sees: how to get one, and nothing of the node.
export function LoginView({ error }: { error?: string | undefined }) {
  return (
    <main class="login" data-testid="login">
      <h1>peapod</h1>
      {error && <p class="error" role="alert">{error}</p>}
      <p>
        To log in, run <code>peapod dashboard</code> on the node and open the link it prints. A link works once,
        for five minutes.
      </p>
    </main>
  );
}

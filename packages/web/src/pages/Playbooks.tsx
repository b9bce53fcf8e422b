/** Not drawn yet (issue 15 lists it): until then the page says so and points at the API reference. */
export function Playbooks() {
  return (
    <section>
      <h1>Playbooks</h1>
      <p>
        This page is not in the console yet. Everything it will show is in the API: see the
        <a href="/docs">API reference</a>.
      </p>
    </section>
  );
}

import { freshAppData, startServer } from '../helpers/processes';

/**
 * A rolling deploy stops an instance while its load balancer still holds keep-alive
 * connections to it: the instance must answer what it was asked, tell those clients
 * to go elsewhere, and stop cleanly rather than be cut off by its shutdown timeout.
 */
jest.setTimeout(120_000);

it('stops cleanly under keep-alive load, answering every request it accepted', async () => {
  const data = await freshAppData('dhr-qa-shutdown-');
  const server = await startServer({ ...data.env, DEMO: '0' });
  let stopping = false;
  const statuses: number[] = [];
  // Four clients that keep their connections open and ask again as soon as they are answered.
  const clients = Array.from({ length: 4 }, async () => {
    while (!stopping) {
      try {
        statuses.push((await fetch(`${server.url}/ready`)).status);
      } catch {
        // Refused or closed once the server has stopped listening: the client would go elsewhere.
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  });
  try {
    while (statuses.length < 200) await new Promise((r) => setTimeout(r, 20));
    const code = await server.stop();
    expect(code).toBe(0);
    expect(server.output()).toContain('SIGTERM received');
    expect(statuses.length).toBeGreaterThanOrEqual(200);
    expect(statuses.every((s) => s === 200)).toBe(true);
  } finally {
    stopping = true;
    await Promise.all(clients);
    await server.stop();
    await data.remove();
  }
});

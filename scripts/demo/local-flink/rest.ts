// The cluster's REST API as start-up and the throughput measurement read it. Each read gives up after
// 5 s: a JobManager that is still starting may accept the connection and not answer yet.
export async function getJson(url: string): Promise<any> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status}`);
  return res.json();
}

/** Routes and methods from Fastify's own route tree (`app.printRoutes({ commonPrefix: false })`). */
export function enumerateRoutes(tree: string): { path: string; methods: string[] }[] {
  const routes: { path: string; methods: string[] }[] = [];
  const stack: string[] = [];
  for (const line of tree.split('\n')) {
    const match = /^([│ ├└─]*)(\/\S*) \(([A-Z, ]+)\)/u.exec(line);
    if (!match) continue;
    const depth = Math.floor(match[1]!.length / 4);
    stack.length = depth;
    stack.push(match[2]!);
    routes.push({ path: stack.join(''), methods: match[3]!.split(', ').filter((method) => method !== 'HEAD') });
  }
  return routes;
}

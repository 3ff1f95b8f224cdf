// Reads a JSON array of Kubernetes objects on stdin and prints, as a JSON array, each problem the schemas of
// kubernetes-models find. kubernetes-models is an ES module only: it is loaded here, by import(), in a process
// of its own, rather than where the rest of this package is required.
async function main(): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) chunks.push(chunk);
  const objects = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
    apiVersion: string;
    kind: string;
    metadata?: { name?: string };
  }[];
  const problems: string[] = [];
  for (const object of objects) {
    const name = `${object.kind} ${object.metadata?.name ?? '(no name)'}`;
    let models: Record<string, new (data: unknown) => { validate(): void }>;
    try {
      models = (await import(`kubernetes-models/${object.apiVersion}`)) as typeof models;
    } catch {
      problems.push(`${name}: no schema for apiVersion ${object.apiVersion}`);
      continue;
    }
    const Model = models[object.kind];
    if (!Model) {
      problems.push(`${name}: no kind ${object.kind} in ${object.apiVersion}`);
      continue;
    }
    try {
      new Model(object).validate();
    } catch (error) {
      problems.push(`${name}: ${(error as Error).message}`);
    }
  }
  process.stdout.write(JSON.stringify(problems));
}

void main();

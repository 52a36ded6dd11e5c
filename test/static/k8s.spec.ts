import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { Deployment } from 'kubernetes-models/apps/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Secret, Service } from 'kubernetes-models/v1';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { type AppConfig, configVariableNames, isPlaceholderSecret, loadConfig } from '@app/core';
import { documentedVariables, probeRoutes, readRepoFile as read, repoRoot as root } from '../support/repo-files';

/*
 * No cluster runs here: the manifests in deploy/k8s are checked statically. Each object is validated against
 * the Kubernetes OpenAPI schemas shipped by `kubernetes-models` (types, enums, required fields; that schema
 * does not reject unknown fields, so the fields that matter are asserted below), then against the app itself.
 */

const DIR = 'deploy/k8s';

// ---- loading ---------------------------------------------------------------------------------------

interface Manifest {
  file: string;
  /** The file's text, comments included. */
  text: string;
  object: Record<string, unknown> & {
    apiVersion?: string;
    kind?: string;
    metadata?: { name?: string; namespace?: string; labels?: Record<string, string> };
  };
}

const yamlFiles = readdirSync(resolve(root, DIR))
  .filter((file) => /\.ya?ml$/.test(file))
  .sort();

const parseProblems: string[] = [];
const parsed: Manifest[] = yamlFiles.flatMap((file) => {
  const text = read(`${DIR}/${file}`);
  const documents = parseAllDocuments(text);
  if (!Array.isArray(documents)) {
    parseProblems.push(`${file}: no YAML document`);
    return [];
  }
  return documents.flatMap((document) => {
    const errors = [...document.errors, ...document.warnings];
    if (errors.length > 0) parseProblems.push(...errors.map((error) => `${file}: ${error.message}`));
    const object = document.toJS() as Manifest['object'] | null;
    return object === null ? [] : [{ file, text, object }];
  });
});

const KUSTOMIZATION = 'kustomization.yaml';
const kustomization = parsed.find((manifest) => manifest.file === KUSTOMIZATION)?.object as
  { resources?: string[]; namespace?: string } | undefined;
const manifests = parsed.filter((manifest) => manifest.file !== KUSTOMIZATION);

/** The component a manifest belongs to (`app.kubernetes.io/component`): `api`, or `worker` for apps/worker's. */
const componentOf = (manifest: Manifest): string | undefined =>
  (manifest.object.metadata as { labels?: Record<string, string> } | undefined)?.labels?.[
    'app.kubernetes.io/component'
  ];

/** The one manifest of a kind for the API (the worker has its own Deployment and PodDisruptionBudget). */
function only<T>(kind: string): T {
  const found = manifests.filter((manifest) => manifest.object.kind === kind && componentOf(manifest) !== 'worker');
  expect(
    found.map((manifest) => manifest.file),
    `exactly one ${kind}`,
  ).toHaveLength(1);
  return found[0].object as T;
}
const manifestOf = (kind: string, component = 'api'): Manifest | undefined =>
  manifests.find((manifest) => manifest.object.kind === kind && (componentOf(manifest) ?? 'api') === component);

// ---- the shapes used below (schema validation covers the rest) ---------------------------------------

type Labels = Record<string, string>;
interface Probe {
  httpGet?: { path?: string; port?: number | string };
  initialDelaySeconds?: number;
  periodSeconds?: number;
  timeoutSeconds?: number;
  failureThreshold?: number;
  successThreshold?: number;
}
interface SecurityContext {
  runAsNonRoot?: boolean;
  runAsUser?: number;
  readOnlyRootFilesystem?: boolean;
  allowPrivilegeEscalation?: boolean;
  privileged?: boolean;
  capabilities?: { drop?: string[]; add?: string[] };
  seccompProfile?: { type?: string };
}
interface Container {
  name: string;
  image?: string;
  ports?: Array<{ name?: string; containerPort: number }>;
  env?: Array<{ name: string; value?: string }>;
  envFrom?: Array<{ configMapRef?: { name: string }; secretRef?: { name: string } }>;
  startupProbe?: Probe;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  lifecycle?: { preStop?: { sleep?: { seconds?: number }; exec?: { command?: string[] } } };
  resources?: { requests?: Record<string, string | number>; limits?: Record<string, string | number> };
  securityContext?: SecurityContext;
  volumeMounts?: Array<{ name: string; mountPath: string }>;
}
interface DeploymentShape {
  spec: {
    replicas?: number;
    selector: { matchLabels?: Labels };
    template: {
      metadata?: { labels?: Labels; annotations?: Record<string, string> };
      spec: {
        terminationGracePeriodSeconds?: number;
        securityContext?: SecurityContext;
        containers: Container[];
        volumes?: Array<{ name: string; emptyDir?: object }>;
      };
    };
  };
}
interface ServiceShape {
  spec: {
    type?: string;
    selector?: Labels;
    ports: Array<{ port: number; targetPort?: number | string }>;
  };
}
interface PdbShape {
  spec: { minAvailable?: number | string; maxUnavailable?: number | string; selector?: { matchLabels?: Labels } };
}
interface HpaShape {
  spec: {
    scaleTargetRef: { apiVersion?: string; kind: string; name: string };
    minReplicas?: number;
    maxReplicas: number;
    metrics?: Array<{
      type: string;
      resource?: { name: string; target: { type: string; averageUtilization?: number } };
    }>;
  };
}
interface ConfigMapShape {
  metadata: { name: string };
  data?: Record<string, string>;
}
interface SecretShape {
  metadata: { name: string };
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

// ---- helpers -----------------------------------------------------------------------------------------

const documented = documentedVariables();

/** Kubernetes quantities: `250m`, `1`, `0.5`, `512Mi`, `1G`. */
function quantity(value: string | number | undefined): number {
  if (value === undefined) return Number.NaN;
  const match = /^(\d+(?:\.\d+)?)(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/.exec(String(value));
  if (!match) return Number.NaN;
  const factors: Record<string, number> = {
    m: 1e-3,
    k: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
    Ki: 2 ** 10,
    Mi: 2 ** 20,
    Gi: 2 ** 30,
    Ti: 2 ** 40,
  };
  return Number(match[1]) * (match[2] === undefined ? 1 : factors[match[2]]);
}

const sameLabels = (selector: Labels | undefined, labels: Labels | undefined): boolean =>
  selector !== undefined &&
  Object.keys(selector).length > 0 &&
  Object.entries(selector).every(([key, value]) => labels?.[key] === value);

// Missing objects fail the schema test ("exactly one of each kind"); these fallbacks keep the others running.
const deployment = (manifestOf('Deployment')?.object ?? {
  spec: { selector: {}, template: { spec: { containers: [] } } },
}) as unknown as DeploymentShape;
const podSpec = deployment.spec.template.spec;
const podLabels = deployment.spec.template.metadata?.labels;
const container: Container = podSpec.containers[0] ?? { name: '' };
const configMaps = manifests
  .filter((m) => m.object.kind === 'ConfigMap')
  .map((m) => m.object as unknown as ConfigMapShape);
const secrets = manifests.filter((m) => m.object.kind === 'Secret').map((m) => m.object as unknown as SecretShape);
const secretValues = (secret: SecretShape): Record<string, string> => ({
  ...Object.fromEntries(
    Object.entries(secret.data ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64').toString('utf8')]),
  ),
  ...secret.stringData,
});

/** The environment the container gets: `envFrom` in order (later wins), then `env` literals. */
function containerEnvironment(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const source of container.envFrom ?? []) {
    if (source.configMapRef) {
      Object.assign(env, configMaps.find((c) => c.metadata.name === source.configMapRef?.name)?.data);
    }
    if (source.secretRef) {
      const secret = secrets.find((s) => s.metadata.name === source.secretRef?.name);
      if (secret) Object.assign(env, secretValues(secret));
    }
  }
  for (const variable of container.env ?? []) if (variable.value !== undefined) env[variable.name] = variable.value;
  return env;
}

/**
 * The application's own reading of that environment (defaults applied, values validated), with the
 * placeholder secrets swapped for random ones so that the production checks pass.
 */
function appConfig(): AppConfig {
  return loadConfig({
    ...containerEnvironment(),
    JWT_SECRET: randomBytes(48).toString('base64url'),
    ...(containerEnvironment().ADMIN_PASSWORD === undefined ? {} : { ADMIN_PASSWORD: randomBytes(24).toString('hex') }),
  });
}

/** A probe's port, resolving a named port to the container's port number. */
function portNumber(port: number | string | undefined): number | undefined {
  if (typeof port === 'number') return port;
  if (/^\d+$/.test(port ?? '')) return Number(port);
  return container.ports?.find((candidate) => candidate.name === port)?.containerPort;
}

function preStopSeconds(): number {
  const preStop = container.lifecycle?.preStop;
  if (preStop?.sleep?.seconds !== undefined) return preStop.sleep.seconds;
  const command = preStop?.exec?.command ?? [];
  if (command.length === 2 && command[0] === 'sleep' && /^\d+$/.test(command[1])) return Number(command[1]);
  return Number.NaN;
}

// ---- tests -------------------------------------------------------------------------------------------

describe('deploy/k8s manifests', () => {
  it('parse as YAML, one object per file, each named and without a namespace', () => {
    expect(parseProblems).toEqual([]);
    expect(kustomization, KUSTOMIZATION).toBeDefined();
    expect(manifests.length).toBeGreaterThan(0);
    for (const { file, object } of manifests) {
      expect(
        manifests.filter((manifest) => manifest.file === file),
        `${file}: one object per file`,
      ).toHaveLength(1);
      expect(object.apiVersion, `${file}: apiVersion`).toEqual(expect.any(String));
      expect(object.kind, `${file}: kind`).toEqual(expect.any(String));
      expect(object.metadata?.name, `${file}: metadata.name`).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
      expect(object.metadata?.namespace, `${file}: namespace-agnostic`).toBeUndefined();
    }
    expect(kustomization?.namespace, 'kustomization.yaml: namespace-agnostic').toBeUndefined();
  });

  it('are exactly the resources kustomization.yaml lists', () => {
    expect([...(kustomization?.resources ?? [])].sort()).toEqual(manifests.map((manifest) => manifest.file).sort());
  });

  it('validate against the Kubernetes schemas', () => {
    const models: Record<string, new (data: never) => { validate(): void }> = {
      'apps/v1/Deployment': Deployment,
      'v1/Service': Service,
      'v1/ConfigMap': ConfigMap,
      'v1/Secret': Secret,
      'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
      'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
    };
    for (const { file, object } of manifests) {
      const Model = models[`${object.apiVersion}/${object.kind}`];
      expect(Model, `${file}: ${object.apiVersion} ${object.kind} is not an expected kind`).toBeDefined();
      expect(() => new Model(object as never).validate(), file).not.toThrow();
    }
    // One of each for the API; the worker adds its own Deployment and PodDisruptionBudget.
    const perWorker = new Set(['apps/v1/Deployment', 'policy/v1/PodDisruptionBudget']);
    for (const kind of Object.keys(models)) {
      expect(
        manifests.filter((manifest) => `${manifest.object.apiVersion}/${manifest.object.kind}` === kind),
        kind,
      ).toHaveLength(perWorker.has(kind) ? 2 : 1);
    }
  });
});

describe('Deployment', () => {
  it('runs at least 2 replicas of one container, selected by its own labels', () => {
    expect(deployment.spec.replicas ?? 1).toBeGreaterThanOrEqual(2);
    expect(podSpec.containers).toHaveLength(1);
    expect(sameLabels(deployment.spec.selector.matchLabels, podLabels), 'selector matches the pod labels').toBe(true);
  });

  it('probes the health routes the app serves, on the container port', () => {
    const routes = probeRoutes();
    expect(routes).toEqual(expect.arrayContaining(['/health/live', '/health/ready', '/health/startup']));
    const probes = {
      startupProbe: '/health/startup',
      livenessProbe: '/health/live',
      readinessProbe: '/health/ready',
    } as const;
    for (const [name, path] of Object.entries(probes)) {
      const probe = container[name as keyof typeof probes];
      expect(probe?.httpGet?.path, name).toBe(path);
      expect(routes, `${name}: a route of libs/health/src/health.controller.ts`).toContain(probe?.httpGet?.path);
      expect(portNumber(probe?.httpGet?.port), `${name} port`).toBe(container.ports?.[0]?.containerPort);
      const period = probe?.periodSeconds ?? 10;
      expect(probe?.timeoutSeconds ?? 1, `${name}: timeout shorter than the period`).toBeLessThan(period);
    }
  });

  it('gives startup ~2 minutes (migrations), and liveness/readiness sensible thresholds', () => {
    const budget = (probe: Probe | undefined): number =>
      (probe?.initialDelaySeconds ?? 0) + (probe?.periodSeconds ?? 10) * (probe?.failureThreshold ?? 3);
    expect(budget(container.startupProbe), 'startup budget (s)').toBeGreaterThanOrEqual(120);
    expect(budget(container.startupProbe), 'startup budget (s)').toBeLessThanOrEqual(300);
    // Liveness restarts the pod: tolerate a few slow answers (>= 20 s), but not minutes of a hung process.
    const live = container.livenessProbe;
    expect(
      (live?.periodSeconds ?? 10) * (live?.failureThreshold ?? 3),
      'liveness tolerance (s)',
    ).toBeGreaterThanOrEqual(20);
    expect((live?.periodSeconds ?? 10) * (live?.failureThreshold ?? 3), 'liveness tolerance (s)').toBeLessThanOrEqual(
      120,
    );
    expect(live?.failureThreshold ?? 3, 'liveness failureThreshold').toBeGreaterThanOrEqual(2);
    // Readiness takes the pod out of rotation quickly.
    const ready = container.readinessProbe;
    expect((ready?.periodSeconds ?? 10) * (ready?.failureThreshold ?? 3), 'readiness reaction (s)').toBeLessThanOrEqual(
      15,
    );
  });

  it('listens on PORT, which is the Service targetPort', () => {
    const port = container.ports?.[0]?.containerPort;
    expect(port).toBe(appConfig().http.port);
    const service = only<ServiceShape>('Service');
    for (const servicePort of service.spec.ports) {
      const target = servicePort.targetPort ?? servicePort.port;
      expect(portNumber(target), 'Service targetPort').toBe(port);
    }
  });

  it('has a grace period longer than preStop + SHUTDOWN_DRAIN_MS + SHUTDOWN_TIMEOUT_MS', () => {
    const preStop = preStopSeconds();
    expect(preStop, 'preStop sleep (lifecycle sleep action or exec ["sleep", "N"])').toBeGreaterThan(0);
    const { drainMs, timeoutMs } = appConfig().shutdown;
    const grace = podSpec.terminationGracePeriodSeconds ?? 30;
    expect(grace).toBeGreaterThan(preStop + (drainMs + timeoutMs) / 1000);
  });

  it('sets CPU and memory requests and limits (requests <= limits)', () => {
    for (const resource of ['cpu', 'memory']) {
      const request = quantity(container.resources?.requests?.[resource]);
      const limit = quantity(container.resources?.limits?.[resource]);
      expect(request, `requests.${resource}`).toBeGreaterThan(0);
      expect(limit, `limits.${resource}`).toBeGreaterThan(0);
      expect(request, `requests.${resource} <= limits.${resource}`).toBeLessThanOrEqual(limit);
    }
  });

  it('runs as the non-root node user (1000), read-only, without privileges, under RuntimeDefault seccomp', () => {
    const pod = podSpec.securityContext ?? {};
    const own = container.securityContext ?? {};
    // The container's own settings win over the pod's.
    const effective = <K extends keyof SecurityContext>(key: K): SecurityContext[K] => own[key] ?? pod[key];
    expect(effective('runAsNonRoot'), 'runAsNonRoot').toBe(true);
    expect(effective('runAsUser'), 'runAsUser').toBe(1000);
    expect(effective('seccompProfile')?.type, 'seccompProfile').toBe('RuntimeDefault');
    expect(own.readOnlyRootFilesystem, 'readOnlyRootFilesystem').toBe(true);
    expect(own.allowPrivilegeEscalation, 'allowPrivilegeEscalation').toBe(false);
    expect(own.privileged ?? false, 'privileged').toBe(false);
    expect(own.capabilities?.drop, 'capabilities.drop').toEqual(['ALL']);
    expect(own.capabilities?.add ?? [], 'capabilities.add').toEqual([]);
  });

  it('mounts an emptyDir on /tmp (the root filesystem is read-only)', () => {
    const mount = container.volumeMounts?.find((candidate) => candidate.mountPath === '/tmp');
    expect(mount, '/tmp mount').toBeDefined();
    const volume = podSpec.volumes?.find((candidate) => candidate.name === mount?.name);
    expect(volume?.emptyDir, `volume ${mount?.name} is an emptyDir`).toBeDefined();
  });

  it('takes its environment from the ConfigMap and the Secret defined here', () => {
    const sources = container.envFrom ?? [];
    const configMapNames = sources.flatMap((source) => source.configMapRef?.name ?? []);
    const secretNames = sources.flatMap((source) => source.secretRef?.name ?? []);
    expect(configMapNames).toEqual(configMaps.map((configMap) => configMap.metadata.name));
    expect(secretNames).toEqual(secrets.map((secret) => secret.metadata.name));
    for (const variable of container.env ?? []) {
      expect(documented, `env ${variable.name} documented in .env.example`).toContain(variable.name);
    }
    // The app accepts the resulting environment (types, ranges, ADMIN_EMAIL with ADMIN_PASSWORD, ...).
    expect(() => appConfig()).not.toThrow();
    expect(appConfig().isProduction, 'NODE_ENV=production').toBe(true);
  });

  it('is annotated for Prometheus to scrape /metrics on the application port', () => {
    const annotations = deployment.spec.template.metadata?.annotations ?? {};
    expect(annotations['prometheus.io/scrape']).toBe('true');
    expect(annotations['prometheus.io/path']).toBe('/metrics');
    expect(Number(annotations['prometheus.io/port'])).toBe(container.ports?.[0]?.containerPort);
  });
});

describe('ConfigMap and Secret', () => {
  it('hold only variables documented in .env.example and read by the app', () => {
    const appVariables = configVariableNames();
    const names = [
      ...configMaps.flatMap((configMap) => Object.keys(configMap.data ?? {})),
      ...secrets.flatMap((secret) => Object.keys(secretValues(secret))),
    ];
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) {
      expect(documented, `${name} documented in .env.example`).toContain(name);
      expect(appVariables, `${name} read by the application`).toContain(name);
    }
  });

  it('keep the credentials in the Secret, as placeholders, never in the ConfigMap', () => {
    const secret = secretValues(only<SecretShape>('Secret'));
    const configMap = only<ConfigMapShape>('ConfigMap').data ?? {};
    for (const name of ['JWT_SECRET', 'DATABASE_URL', 'REDIS_URL', 'ADMIN_PASSWORD', 'METRICS_TOKEN']) {
      expect(Object.keys(configMap), `${name} not in the ConfigMap`).not.toContain(name);
    }
    for (const name of ['JWT_SECRET', 'DATABASE_URL', 'REDIS_URL', 'ADMIN_PASSWORD']) {
      expect(Object.keys(secret), `${name} in the Secret`).toContain(name);
    }
    for (const [name, value] of Object.entries(secret)) {
      expect(isPlaceholderSecret(value), `${name} must be an obvious placeholder, not a real value`).toBe(true);
    }
    expect(manifestOf('Secret')?.text, 'secret.yaml says where real values come from').toMatch(/secret manager/i);
  });
});

describe('Service, PodDisruptionBudget, HorizontalPodAutoscaler', () => {
  it('Service: ClusterIP, port 80, selecting the pods', () => {
    const service = only<ServiceShape>('Service');
    expect(service.spec.type ?? 'ClusterIP').toBe('ClusterIP');
    expect(service.spec.ports.map((port) => port.port)).toEqual([80]);
    expect(sameLabels(service.spec.selector, podLabels), 'selector matches the pod labels').toBe(true);
  });

  it('PodDisruptionBudget: minAvailable 1, below the replica count, selecting the pods', () => {
    const pdb = only<PdbShape>('PodDisruptionBudget');
    expect(pdb.spec.minAvailable).toBe(1);
    expect(pdb.spec.maxUnavailable).toBeUndefined();
    expect(Number(pdb.spec.minAvailable)).toBeLessThan(deployment.spec.replicas ?? 1);
    expect(Number(pdb.spec.minAvailable)).toBeLessThan(only<HpaShape>('HorizontalPodAutoscaler').spec.minReplicas ?? 1);
    expect(sameLabels(pdb.spec.selector?.matchLabels, podLabels), 'selector matches the pod labels').toBe(true);
  });

  it('HorizontalPodAutoscaler: the Deployment, 2-10 replicas, CPU at 70% of the request', () => {
    const hpa = only<HpaShape>('HorizontalPodAutoscaler');
    expect(hpa.spec.scaleTargetRef).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: manifestOf('Deployment')?.object.metadata?.name,
    });
    expect(hpa.spec.minReplicas).toBe(2);
    expect(hpa.spec.maxReplicas).toBe(10);
    expect(deployment.spec.replicas, 'Deployment replicas = HPA minReplicas').toBe(hpa.spec.minReplicas);
    expect(hpa.spec.metrics).toEqual([
      { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } },
    ]);
    expect(container.resources?.requests?.cpu, 'CPU utilization needs a CPU request').toBeDefined();
  });
});

describe('the worker (apps/worker)', () => {
  const worker = (manifestOf('Deployment', 'worker')?.object ?? {
    spec: { template: { spec: { containers: [] } } },
  }) as unknown as DeploymentShape;
  const workerPod = worker.spec.template.spec;
  const workerContainer: Container & { command?: string[]; env?: Array<{ name: string; value?: string }> } = workerPod
    .containers[0] ?? { name: '' };
  const workerEnv = Object.fromEntries((workerContainer.env ?? []).map((entry) => [entry.name, entry.value]));

  it('runs the API image with the worker command and the same configuration', () => {
    expect(workerContainer.image).toBe(container.image);
    expect(workerContainer.command).toEqual(['node', 'dist/apps/worker/src/main.js']);
    expect(workerContainer.envFrom).toEqual(container.envFrom);
    expect(workerEnv.DB_MIGRATE_ON_START).toBe('false');
  });

  it('probes its own port: liveness on /health/live, readiness on /health/ready', () => {
    const port = (workerContainer.ports ?? [])[0] as { name?: string; containerPort?: number } | undefined;
    expect(String(port?.containerPort)).toBe(workerEnv.WORKER_PORT);
    expect(workerContainer.livenessProbe?.httpGet).toEqual({ path: '/health/live', port: port?.name });
    expect(workerContainer.readinessProbe?.httpGet).toEqual({ path: '/health/ready', port: port?.name });
  });

  it('has time to finish its jobs on SIGTERM, and a PodDisruptionBudget keeping one', () => {
    expect((workerPod.terminationGracePeriodSeconds ?? 30) * 1000).toBeGreaterThan(
      Number(workerEnv.WORKER_SHUTDOWN_TIMEOUT_MS),
    );
    const pdb = manifestOf('PodDisruptionBudget', 'worker')?.object as unknown as PdbShape;
    expect(pdb.spec.minAvailable).toBe(1);
    expect(Number(pdb.spec.minAvailable)).toBeLessThan(worker.spec.replicas ?? 1);
    expect(sameLabels(pdb.spec.selector?.matchLabels, worker.spec.template.metadata?.labels)).toBe(true);
    expect(sameLabels(pdb.spec.selector?.matchLabels, podLabels), 'the API and worker budgets select apart').toBe(
      false,
    );
  });
});

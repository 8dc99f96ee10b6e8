/**
 * The Kubernetes manifests as an operator would apply them: every overlay is
 * rendered with `kubectl kustomize`, each object is validated against the
 * Kubernetes API schemas (kubernetes-models), and the deployment practices
 * docs/deploy.md promises are asserted on the rendered output.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Model } from '@kubernetes-models/base';
import { Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { Ingress, NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import {
  ConfigMap,
  PersistentVolumeClaim,
  Secret,
  Service,
  ServiceAccount,
} from 'kubernetes-models/v1';
import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES } from '../apps/server/src/config.ts';
import { K8S_DIR, kustomize, type K8sObject } from './test-support/kustomize.ts';
import { readDockerfile, parseEnv } from './test-support/dockerfile-parser.ts';
import { TEMPLATE_PATH, TEMPLATE_VARIABLES } from './test-support/nginx-harness.ts';

type ModelClass = new (data: never) => Model<unknown>;
const MODELS: Record<string, ModelClass> = {
  'apps/v1/Deployment': Deployment,
  'apps/v1/StatefulSet': StatefulSet,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'networking.k8s.io/v1/Ingress': Ingress,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'v1/ConfigMap': ConfigMap,
  'v1/PersistentVolumeClaim': PersistentVolumeClaim,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'v1/ServiceAccount': ServiceAccount,
};

// Loose shapes for the assertions below (the schemas were checked already).
interface Probe {
  httpGet?: { path: string; port: string | number };
  exec?: { command: string[] };
}
interface Container {
  name: string;
  image: string;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  startupProbe?: Probe;
  securityContext?: {
    runAsNonRoot?: boolean;
    allowPrivilegeEscalation?: boolean;
    readOnlyRootFilesystem?: boolean;
    capabilities?: { drop?: string[]; add?: string[] };
    seccompProfile?: { type: string };
    privileged?: boolean;
  };
  env?: Array<{
    name: string;
    value?: string;
    valueFrom?: {
      secretKeyRef?: { name: string; key: string };
      configMapKeyRef?: { name: string; key: string };
    };
  }>;
  envFrom?: Array<{ configMapRef?: { name: string }; secretRef?: { name: string } }>;
  volumeMounts?: Array<{ name: string; mountPath: string; readOnly?: boolean }>;
  ports?: Array<{ name?: string; containerPort: number }>;
}
interface PodSpec {
  serviceAccountName?: string;
  automountServiceAccountToken?: boolean;
  securityContext?: {
    runAsNonRoot?: boolean;
    runAsUser?: number;
    seccompProfile?: { type: string };
  };
  containers: Container[];
  initContainers?: Container[];
  volumes?: Array<{ name: string; emptyDir?: object; secret?: { secretName: string } }>;
}
interface Workload extends K8sObject {
  spec: {
    replicas?: number;
    selector: { matchLabels: Record<string, string> };
    template: { metadata: { labels: Record<string, string> }; spec: PodSpec };
  };
}

const OVERLAYS = ['dev', 'production'] as const;
const rendered = Object.fromEntries(
  [...OVERLAYS.map((o) => [o, join(K8S_DIR, 'overlays', o)]), ['base', join(K8S_DIR, 'base')]].map(
    ([name, dir]) => [name, kustomize(dir as string)],
  ),
) as Record<(typeof OVERLAYS)[number] | 'base', K8sObject[]>;

const workloads = (objs: K8sObject[]) =>
  objs.filter((o): o is Workload => o.kind === 'Deployment' || o.kind === 'StatefulSet');
const byKind = <T = K8sObject>(objs: K8sObject[], kind: string) =>
  objs.filter((o) => o.kind === kind) as T[];
const one = <T = K8sObject>(objs: K8sObject[], kind: string, name: string): T => {
  const found = objs.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`${kind}/${name} is not rendered`);
  return found as T;
};
const matches = (selector: Record<string, string>, labels: Record<string, string> = {}) =>
  Object.entries(selector).every(([k, v]) => labels[k] === v);
const SECRET_VARIABLES = [
  'DATABASE_URL',
  'ENCRYPTION_KEYS',
  'TOKEN_FINGERPRINT_KEY',
  'OIDC_CLIENT_SECRET',
  'SANDBOX_CLIENT_SECRET',
  'DEMO_PASSWORD',
];

describe.each(['base', ...OVERLAYS] as const)('kustomize %s', (name) => {
  const objects = rendered[name];

  it('renders only kinds we validate, each valid against the Kubernetes API schema', () => {
    expect(objects.length).toBeGreaterThan(10);
    for (const obj of objects) {
      const Model = MODELS[`${obj.apiVersion}/${obj.kind}`];
      expect(Model, `no schema mapped for ${obj.apiVersion} ${obj.kind}`).toBeDefined();
      const model = new Model!(obj as never);
      expect(() => model.validate(), `${obj.kind}/${obj.metadata.name}`).not.toThrow();
    }
  });

  it('contains no Secret objects (secrets are referenced, created out of band)', () => {
    expect(byKind(objects, 'Secret')).toEqual([]);
    for (const cm of byKind<K8sObject & { data?: Record<string, string> }>(objects, 'ConfigMap')) {
      for (const key of Object.keys(cm.data ?? {}))
        expect(SECRET_VARIABLES, `${cm.metadata.name}.${key}`).not.toContain(key);
    }
    for (const w of workloads(objects)) {
      for (const c of w.spec.template.spec.containers) {
        for (const e of c.env ?? []) {
          if (SECRET_VARIABLES.includes(e.name) || /PASSWORD|SECRET/.test(e.name)) {
            expect(
              e.value,
              `${w.metadata.name}/${c.name} ${e.name} must come from a Secret`,
            ).toBeUndefined();
            expect(e.valueFrom?.secretKeyRef, `${e.name}`).toBeDefined();
          }
        }
      }
    }
  });

  it('hardens every pod and container', () => {
    for (const w of workloads(objects)) {
      const pod = w.spec.template.spec;
      const where = `${w.kind}/${w.metadata.name}`;
      expect(pod.automountServiceAccountToken, where).toBe(false);
      expect(pod.securityContext?.runAsNonRoot, where).toBe(true);
      expect(pod.securityContext?.runAsUser, where).toBeGreaterThan(0);
      expect(pod.securityContext?.seccompProfile?.type, where).toBe('RuntimeDefault');
      const emptyDirs = new Set((pod.volumes ?? []).filter((v) => v.emptyDir).map((v) => v.name));
      for (const c of [...pod.containers, ...(pod.initContainers ?? [])]) {
        const at = `${where} container ${c.name}`;
        expect(c.securityContext?.allowPrivilegeEscalation, at).toBe(false);
        expect(c.securityContext?.readOnlyRootFilesystem, at).toBe(true);
        expect(c.securityContext?.runAsNonRoot, at).toBe(true);
        expect(c.securityContext?.privileged, at).not.toBe(true);
        expect(c.securityContext?.capabilities?.drop, at).toContain('ALL');
        expect(c.securityContext?.capabilities?.add ?? [], at).toEqual([]);
        expect(c.securityContext?.seccompProfile?.type, at).toBe('RuntimeDefault');
        // A read-only root still needs a scratch /tmp.
        const tmp = c.volumeMounts?.find((m) => m.mountPath === '/tmp');
        expect(tmp && emptyDirs.has(tmp.name), `${at}: /tmp must be an emptyDir`).toBe(true);
        // Every container has requests and limits for CPU and memory.
        for (const kind of ['requests', 'limits'] as const) {
          expect(c.resources?.[kind]?.cpu, `${at} ${kind}.cpu`).toBeTruthy();
          expect(c.resources?.[kind]?.memory, `${at} ${kind}.memory`).toBeTruthy();
        }
        expect(c.livenessProbe, `${at} liveness`).toBeDefined();
        expect(c.readinessProbe, `${at} readiness`).toBeDefined();
      }
    }
  });

  it('pins every image to an explicit tag, never :latest', () => {
    for (const w of workloads(objects)) {
      for (const c of w.spec.template.spec.containers) {
        const tag = /^[^@]+:([^/:@]+)(@sha256:[0-9a-f]{64})?$/.exec(c.image)?.[1];
        expect(tag, `${c.image} has no tag`).toBeDefined();
        expect(tag, c.image).not.toBe('latest');
        // A release version (major.minor at least), optionally with a variant suffix.
        expect(tag, c.image).toMatch(/^\d+\.\d+(\.\d+)?(-[a-z0-9.]+)?$/);
      }
    }
  });

  it('runs the server with /healthz liveness, /readyz readiness and a start-up budget for migrations', () => {
    const server = one<Workload>(objects, 'Deployment', 'scim-console-server').spec.template.spec
      .containers[0]!;
    expect(server.livenessProbe?.httpGet?.path).toBe('/healthz');
    expect(server.readinessProbe?.httpGet?.path).toBe('/readyz');
    expect(server.startupProbe?.httpGet?.path).toBe('/healthz');
    const web = one<Workload>(objects, 'Deployment', 'scim-console-web').spec.template.spec
      .containers[0]!;
    // The web tier checks nginx itself, not the server behind it.
    expect(web.livenessProbe?.httpGet?.path).toBe('/nginx-health');
  });

  it('configures the server only with variables its config loader knows, secrets by reference', () => {
    const known = new Set<string>([...CONFIG_VARIABLES, 'NODE_OPTIONS', 'NODE_ENV']);
    const deployment = one<Workload>(objects, 'Deployment', 'scim-console-server');
    const server = deployment.spec.template.spec.containers[0]!;
    const configMaps = byKind<K8sObject & { data?: Record<string, string> }>(objects, 'ConfigMap');
    const names: string[] = (server.env ?? []).map((e) => e.name);
    for (const ref of server.envFrom ?? []) {
      expect(
        ref.secretRef,
        'no whole-Secret envFrom (keys would leak into the environment unnoticed)',
      ).toBeUndefined();
      const cm = configMaps.find((c) => c.metadata.name === ref.configMapRef?.name);
      expect(cm, `ConfigMap ${ref.configMapRef?.name} is rendered`).toBeDefined();
      names.push(...Object.keys(cm?.data ?? {}));
    }
    for (const n of names)
      expect(known.has(n), `${n} is not read by apps/server/src/config.ts`).toBe(true);

    const env = Object.fromEntries((server.env ?? []).map((e) => [e.name, e]));
    expect(env.DATABASE_URL?.valueFrom?.secretKeyRef).toEqual({
      name: 'scim-console-database',
      key: 'url',
    });
    expect(env.TOKEN_FINGERPRINT_KEY?.valueFrom?.secretKeyRef).toMatchObject({
      name: 'scim-console-keys',
      key: 'fingerprint-key',
    });
    expect(env.OIDC_CLIENT_SECRET?.valueFrom?.secretKeyRef).toMatchObject({
      name: 'scim-console-oidc',
      key: 'client-secret',
    });
    // The key ring is a mounted file from the keys Secret, not an environment variable.
    expect(env.ENCRYPTION_KEYS).toBeUndefined();
    const file = env.ENCRYPTION_KEYS_FILE?.value ?? '';
    const mount = server.volumeMounts?.find((m) => file.startsWith(`${m.mountPath}/`));
    expect(mount?.readOnly).toBe(true);
    const volume = deployment.spec.template.spec.volumes?.find((v) => v.name === mount?.name);
    expect(volume?.secret?.secretName).toBe('scim-console-keys');
    const serverConfig = configMaps.find((c) =>
      c.metadata.name.startsWith('scim-console-server-config'),
    )!;
    expect(serverConfig.data?.SCIM_CONSOLE_PROFILE).toBe('production');
    expect(serverConfig.data?.PUBLIC_URL).toMatch(/^https:\/\//);
  });

  it('configures the web tier only with the variables its nginx template substitutes', () => {
    const web = one<Workload>(objects, 'Deployment', 'scim-console-web').spec.template.spec
      .containers[0]!;
    const configMaps = byKind<K8sObject & { data?: Record<string, string> }>(objects, 'ConfigMap');
    const names = (web.env ?? []).map((e) => e.name);
    for (const ref of web.envFrom ?? [])
      names.push(
        ...Object.keys(
          configMaps.find((c) => c.metadata.name === ref.configMapRef?.name)?.data ?? {},
        ),
      );
    expect(names.sort()).toEqual([...TEMPLATE_VARIABLES].sort());
    const upstream = (
      configMaps.find((c) => c.metadata.name.startsWith('scim-console-web-config'))?.data ?? {}
    ).SERVER_UPSTREAM;
    const service = one<K8sObject & { spec: { ports: Array<{ port: number }> } }>(
      objects,
      'Service',
      'scim-console-server',
    );
    expect(upstream).toBe(`scim-console-server:${service.spec.ports[0]!.port}`);
    const mounts = web.volumeMounts?.map((m) => m.mountPath);
    expect(mounts).toContain('/etc/nginx/conf.d'); // where the entrypoint renders the template
  });

  it('wires Services, HPA, PDBs, service accounts and the Ingress to objects that exist', () => {
    const ws = workloads(objects);
    for (const svc of byKind<K8sObject & { spec: { selector: Record<string, string> } }>(
      objects,
      'Service',
    )) {
      expect(
        ws.some((w) => matches(svc.spec.selector, w.spec.template.metadata.labels)),
        `Service ${svc.metadata.name} selects no pods`,
      ).toBe(true);
    }
    for (const pdb of byKind<
      K8sObject & { spec: { selector: { matchLabels: Record<string, string> } } }
    >(objects, 'PodDisruptionBudget')) {
      expect(
        ws.some((w) => matches(pdb.spec.selector.matchLabels, w.spec.template.metadata.labels)),
        `PDB ${pdb.metadata.name}`,
      ).toBe(true);
    }
    for (const hpa of byKind<
      K8sObject & { spec: { scaleTargetRef: { kind: string; name: string } } }
    >(objects, 'HorizontalPodAutoscaler')) {
      expect(
        one(objects, hpa.spec.scaleTargetRef.kind, hpa.spec.scaleTargetRef.name),
      ).toBeDefined();
    }
    for (const w of ws) {
      expect(
        matches(w.spec.selector.matchLabels, w.spec.template.metadata.labels),
        w.metadata.name,
      ).toBe(true);
      const sa = w.spec.template.spec.serviceAccountName;
      if (sa)
        expect(
          one<K8sObject & { automountServiceAccountToken?: boolean }>(objects, 'ServiceAccount', sa)
            .automountServiceAccountToken,
        ).toBe(false);
    }
    const ingress = one<
      K8sObject & {
        spec: {
          tls: Array<{ hosts: string[]; secretName: string }>;
          rules: Array<{
            host: string;
            http: { paths: Array<{ backend: { service: { name: string } } }> };
          }>;
        };
      }
    >(objects, 'Ingress', 'scim-console');
    expect(ingress.spec.tls[0]?.secretName).toBeTruthy();
    for (const rule of ingress.spec.rules) {
      expect(ingress.spec.tls.flatMap((t) => t.hosts)).toContain(rule.host);
      for (const p of rule.http.paths)
        expect(one(objects, 'Service', p.backend.service.name).metadata.name).toBe(
          'scim-console-web',
        );
    }
  });

  it('denies all traffic by default and opens only web -> server -> database, HTTPS out and DNS', () => {
    type Peer = {
      podSelector?: { matchLabels?: Record<string, string> };
      namespaceSelector?: object;
      ipBlock?: { cidr: string; except?: string[] };
    };
    type Rule = { from?: Peer[]; to?: Peer[]; ports?: Array<{ port: number; protocol: string }> };
    type Policy = K8sObject & {
      spec: {
        podSelector: { matchLabels?: Record<string, string> };
        policyTypes: string[];
        ingress?: Rule[];
        egress?: Rule[];
      };
    };
    const policies = byKind<Policy>(objects, 'NetworkPolicy');
    const deny = policies.find((p) => !p.spec.ingress && !p.spec.egress);
    expect(deny, 'a default-deny NetworkPolicy').toBeDefined();
    expect(deny!.spec.policyTypes.sort()).toEqual(['Egress', 'Ingress']);
    for (const w of workloads(objects)) {
      expect(
        matches(deny!.spec.podSelector.matchLabels ?? {}, w.spec.template.metadata.labels),
        `${w.metadata.name} is under the default deny`,
      ).toBe(true);
    }
    const forComponent = (component: string) =>
      policies.find(
        (p) => p.spec.podSelector.matchLabels?.['app.kubernetes.io/component'] === component,
      )!;
    const ports = (rules: Rule[] = []) =>
      rules.flatMap((r) => (r.ports ?? []).map((p) => p.port)).sort((a, b) => a - b);

    const server = forComponent('server');
    expect(server.spec.ingress).toHaveLength(1);
    expect(server.spec.ingress![0]!.from).toEqual([
      {
        podSelector: {
          matchLabels: {
            'app.kubernetes.io/name': 'scim-console',
            'app.kubernetes.io/component': 'web',
          },
        },
      },
    ]);
    expect(new Set(ports(server.spec.egress))).toEqual(new Set([53, 443, 5432]));
    const https = server.spec.egress!.find((r) => r.ports?.some((p) => p.port === 443))!;
    expect(https.to?.[0]?.ipBlock?.except).toContain('169.254.0.0/16');

    const web = forComponent('web');
    expect(ports(web.spec.ingress)).toEqual([8080]);
    expect(new Set(ports(web.spec.egress))).toEqual(new Set([53, 8080]));
    const toServer = web.spec.egress!.find((r) => r.ports?.some((p) => p.port === 8080))!;
    expect(toServer.to?.[0]?.podSelector?.matchLabels?.['app.kubernetes.io/component']).toBe(
      'server',
    );
  });

  it('never lets a PodDisruptionBudget block node drains', () => {
    for (const pdb of byKind<
      K8sObject & {
        spec: {
          minAvailable?: number;
          maxUnavailable?: number;
          selector: { matchLabels: Record<string, string> };
        };
      }
    >(objects, 'PodDisruptionBudget')) {
      const target = workloads(objects).find((w) =>
        matches(pdb.spec.selector.matchLabels, w.spec.template.metadata.labels),
      )!;
      const replicas = target.spec.replicas ?? 1;
      if (pdb.spec.minAvailable !== undefined)
        expect(pdb.spec.minAvailable, pdb.metadata.name).toBeLessThan(replicas);
      else expect(pdb.spec.maxUnavailable, pdb.metadata.name).toBeGreaterThanOrEqual(1);
    }
  });
});

describe('manifests agree with the images', () => {
  const base = rendered.base;
  const imageEnv = (file: string) => {
    const final = readDockerfile(join(K8S_DIR, '..', file)).stages.at(-1)!;
    return Object.assign(
      {},
      ...final.instructions.filter((i) => i.keyword === 'ENV').map((i) => parseEnv(i.args)),
    ) as Record<string, string>;
  };

  it('uses the ports the images listen on', () => {
    const server = one<Workload>(base, 'Deployment', 'scim-console-server').spec.template.spec
      .containers[0]!;
    expect(String(server.ports?.[0]?.containerPort)).toBe(imageEnv('server.Dockerfile').PORT);
    expect(server.env?.find((e) => e.name === 'PORT')?.value).toBe(
      imageEnv('server.Dockerfile').PORT,
    );
    const web = one<Workload>(base, 'Deployment', 'scim-console-web').spec.template.spec
      .containers[0]!;
    expect(String(web.ports?.[0]?.containerPort)).toBe(imageEnv('web.Dockerfile').LISTEN_PORT);
  });

  it('limits request bodies the same at the ingress and in the web tier', () => {
    const ingress = one(base, 'Ingress', 'scim-console');
    const nginxLimit = /client_max_body_size (\S+);/.exec(readFileSync(TEMPLATE_PATH, 'utf8'))?.[1];
    expect(ingress.metadata.annotations?.['nginx.ingress.kubernetes.io/proxy-body-size']).toBe(
      nginxLimit,
    );
  });
});

describe('overlays', () => {
  it('schema validation is real: a malformed Deployment is rejected', () => {
    const server = one<Workload>(rendered.production, 'Deployment', 'scim-console-server');
    const broken = structuredClone(server) as unknown as {
      spec: {
        template: { spec: { containers: Array<{ ports: Array<{ containerPort: unknown }> }> } };
      };
    };
    broken.spec.template.spec.containers[0]!.ports[0]!.containerPort = '8080';
    expect(() => new Deployment(broken as never).validate()).toThrow(
      /containerPort must be integer/,
    );
  });

  it('production runs at least three server replicas, autoscaled, with minAvailable 2, from a registry', () => {
    const prod = rendered.production;
    expect(prod.every((o) => o.metadata.namespace === 'scim-console')).toBe(true);
    const server = one<Workload>(prod, 'Deployment', 'scim-console-server');
    expect(server.spec.replicas).toBeGreaterThanOrEqual(3);
    expect(
      one<Workload>(prod, 'Deployment', 'scim-console-web').spec.replicas,
    ).toBeGreaterThanOrEqual(2);
    const hpa = one<K8sObject & { spec: { minReplicas: number; maxReplicas: number } }>(
      prod,
      'HorizontalPodAutoscaler',
      'scim-console-server',
    );
    expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(3);
    expect(hpa.spec.maxReplicas).toBeGreaterThan(hpa.spec.minReplicas);
    expect(
      one<K8sObject & { spec: { minAvailable: number } }>(
        prod,
        'PodDisruptionBudget',
        'scim-console-server',
      ).spec.minAvailable,
    ).toBe(2);
    for (const w of workloads(prod))
      for (const c of w.spec.template.spec.containers)
        expect(c.image).toMatch(
          /^registry\.example\.com\/scim-console\/(server|web):\d+\.\d+\.\d+$/,
        );
    expect(
      one(prod, 'Ingress', 'scim-console').metadata.annotations?.['cert-manager.io/cluster-issuer'],
    ).toBeTruthy();
    // No database in the production overlay: PostgreSQL is the operator's (managed) service.
    expect(byKind(prod, 'StatefulSet')).toEqual([]);
  });

  it('dev runs one replica of each tier with an in-cluster PostgreSQL whose password is a Secret reference', () => {
    const dev = rendered.dev;
    expect(dev.every((o) => o.metadata.namespace === 'scim-console-dev')).toBe(true);
    expect(one<Workload>(dev, 'Deployment', 'scim-console-server').spec.replicas).toBe(1);
    expect(one<Workload>(dev, 'Deployment', 'scim-console-web').spec.replicas).toBe(1);
    const pg = one<Workload>(dev, 'StatefulSet', 'scim-console-postgres').spec.template.spec
      .containers[0]!;
    expect(pg.env?.find((e) => e.name === 'POSTGRES_PASSWORD')?.valueFrom?.secretKeyRef?.name).toBe(
      'scim-console-postgres',
    );
    const pgPolicy = one<
      K8sObject & { spec: { ingress: Array<{ from: unknown[]; ports: Array<{ port: number }> }> } }
    >(dev, 'NetworkPolicy', 'scim-console-postgres');
    expect(pgPolicy.spec.ingress[0]!.ports[0]!.port).toBe(5432);
  });
});

// Knative's serving ConfigMaps (namespace knative-serving), parsed with Knative's keys and defaults.

export interface DomainRule {
  /** Domain suffix, e.g. "example.com". */
  domain: string;
  /** Route labels that must all match; an empty selector matches every route. */
  selector: Record<string, string>;
}

export interface ServingConfig {
  /** config-domain: most specific selector wins; default example.com. */
  domains: DomainRule[];
  /** config-network domain-template, default "{{.Name}}.{{.Namespace}}.{{.Domain}}". */
  domainTemplate: string;
  /** config-network tag-template, default "{{.Tag}}-{{.Name}}". */
  tagTemplate: string;
  /** config-network autocreate-cluster-domain-claims, default false. */
  autocreateClusterDomainClaims: boolean;
  /** config-defaults. */
  defaults: {
    revisionTimeoutSeconds: number; // 300
    maxRevisionTimeoutSeconds: number; // 600
    containerConcurrency: number; // 0
    containerConcurrencyMaxLimit: number; // 1000
  };
  /** config-autoscaler data as written (parsed by the autoscaler). */
  autoscaler: Record<string, string>;
}

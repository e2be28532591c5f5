import type { SchedulerServiceTaskScheduleDefinitionConfig } from '@backstage/backend-plugin-api';
import type { HumanDuration } from '@backstage/types';

export interface Config {
  /** Configuration of the OpsHub backend plugin. */
  opshub?: {
    /**
     * How often OpsHub reads the catalog's Components with a
     * `github.com/project-slug` annotation into its project table, the lookup
     * that maps a GitHub repository to its entities. Defaults to every 5
     * minutes, first run 5 seconds after startup.
     */
    projectSync?: {
      schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
    };

    /** GitHub webhook intake at `POST /api/opshub/webhooks/github`. */
    github?: {
      /**
       * The secret of the GitHub webhook; deliveries are verified against
       * `X-Hub-Signature-256`. Without it every delivery is refused (503).
       * @visibility secret
       */
      webhookSecret?: string;
      /**
       * More secrets deliveries may be signed with. A plain string is valid
       * for every repository, like `webhookSecret` (e.g. the secret being
       * rotated out). `{ secret, owners?, repositories? }` is valid only for
       * deliveries whose `repository.full_name` is one of `repositories`
       * (`owner/name`) or belongs to one of `owners` (both case-insensitive):
       * for per-repository webhooks, whose admins would otherwise be able to
       * sign deliveries for every other repository. A delivery signed with a
       * secret not valid for its repository, or about no repository (an
       * organisation hook's `ping`) and signed with a scoped secret, gets 401.
       * @visibility secret
       */
      additionalWebhookSecrets?: Array<
        | string
        | {
            /**
             * The webhook's secret.
             * @visibility secret
             */
            secret: string;
            /** Owners (users or organisations), e.g. `acme`. */
            owners?: string[];
            /** Repositories as `owner/name`, e.g. `acme/storefront`. */
            repositories?: string[];
          }
      >;
      /** Largest accepted body in bytes; larger ones get 413. Default 25 MiB. */
      maxPayloadBytes?: number;
      /**
       * Deliveries recorded at once per instance; up to eight times as many
       * wait, beyond that 503. Only verified deliveries, whose bodies have
       * arrived, take a place. Default 32.
       */
      maxConcurrentDeliveries?: number;
      /**
       * How long a delivery's body may take to arrive after its headers;
       * slower ones get 408 and their connection is closed. Default 10 seconds.
       */
      bodyTimeout?: HumanDuration | string;
      /**
       * Bytes of delivery bodies buffered at once per instance, across all
       * deliveries in flight; a delivery that would go beyond it gets 503 with
       * `Retry-After`. At least `maxPayloadBytes`. Default 128 MiB.
       */
      maxBufferedBytes?: number;
      /**
       * GitHub write-back (commit statuses, deployments and their statuses, PR
       * comments) per backend instance and minute; GitHub allows 80. Default 60.
       * Write-back is on when `integrations.github` has a token or a GitHub App.
       */
      contentWritesPerMinute?: number;
      /** How long deliveries (with their raw payload) are kept. Default 14 days. */
      deliveryRetention?: HumanDuration | string;
      /**
       * Repository bindings the config approves, for installs whose catalog
       * locations prove nothing (e.g. `file:` locations in development):
       * each entity acts on the repository named here while its
       * `github.com/project-slug` names that repository (see
       * `projects.requireVerifiedBinding`).
       */
      approvedBindings?: Array<{
        /** The entity, e.g. `component:default/storefront`. */
        entityRef: string;
        /** Its repository as `owner/name`, e.g. `acme/storefront`. */
        repository: string;
      }>;
    };

    /** The projects OpsHub tracks: catalog Components naming a repository. */
    projects?: {
      /**
       * Whether an entity's `github.com/project-slug` must be verified before
       * OpsHub acts on that repository (previews from its pull requests,
       * commit statuses, deployments and comments written to it): its
       * `backstage.io/managed-by-location` is inside the repository, an org
       * owner approved the binding, or `github.approvedBindings` names it.
       * `false` believes any sole claim, so any catalog author can point an
       * entity at any repository; a repository several entities name acts
       * only for the verified ones either way. Default true.
       */
      requireVerifiedBinding?: boolean;
    };

    /** Roles and permissions. */
    rbac?: {
      /**
       * The role members of an entity's catalog owner (`spec.owner`) get on
       * that project, on top of any assignment. `false` turns it off.
       * Defaults to `maintainer`.
       */
      implicitOwnerRole?:
        | 'viewer'
        | 'developer'
        | 'maintainer'
        | 'owner'
        | false;
      /**
       * User and group entity refs (`user:default/jane`, `group:default/platform`)
       * that own the installation: they administer OpsHub (job queue, webhook
       * deliveries, org-level roles) and hold the owner role on every project.
       * Assignments made through the API add to them.
       */
      orgOwners?: string[];
      /**
       * Mutating requests (POST, PUT, PATCH, DELETE) each signed-in user or
       * service principal may make per minute, per backend instance; beyond
       * it, 429 with `Retry-After`. Default 60.
       */
      mutationsPerMinute?: number;
      /**
       * The OpsHub roles of service principals (callers with a service token
       * rather than a user's). Backstage's permission client allows every
       * permission to a service principal without asking the permission
       * policy, so OpsHub decides for services itself: a service holds the
       * role given here on every project and on the installation (org-level:
       * `owner` administers OpsHub), and a service not listed here is
       * refused every OpsHub route and action. A token's access restrictions
       * (`permissionNames`, `permissionAttributes`) narrow it further.
       * Default none.
       */
      servicePrincipals?: Array<{
        /**
         * The principal as Backstage reports it: a static external-access
         * token calling OpsHub's routes is its configured `subject`, exactly
         * as written (a JWKS token's is `external:…`), another
         * plugin calling with its own credentials `plugin:<its id>`. Through
         * the MCP actions plugin every static-token caller reaches OpsHub
         * as `plugin:mcp-actions`.
         */
        subject: string;
        /** The role, on every project and the installation. */
        role: 'owner' | 'maintainer' | 'developer' | 'viewer';
      }>;
    };

    /** The job queue on the plugin's database. */
    queue?: {
      /**
       * Jobs running at once in each backend instance. Default 4. 0 turns
       * this instance's worker off: it still accepts webhooks and enqueues,
       * and other instances run the jobs.
       */
      concurrency?: number;
      /**
       * While this instance's event loop is busier than this share of the
       * time (above 0, at most 1), it runs fewer jobs at once than
       * `concurrency`, down to one, and back up once the loop has room:
       * webhook deliveries and API requests share the loop with the jobs,
       * and on a saturated loop more jobs at once only make every request
       * wait longer. 1 always runs `concurrency`. Health probes are not
       * held back. Default 0.7.
       */
      maxEventLoopUtilization?: number;
      /**
       * Per job type (e.g. `create-preview`), jobs running at once in each
       * instance, within `concurrency`.
       */
      typeConcurrency?: { [type: string]: number };
      /** How long a claim holds a job before another instance may take it over (renewed while the job runs). Default 30 seconds. */
      lease?: HumanDuration | string;
      /** Polling interval, the fallback behind in-process and LISTEN/NOTIFY wake-ups. Default 2 seconds. */
      pollInterval?: HumanDuration | string;
      /** How often expired leases are returned to the queue. Default 10 seconds. */
      recoveryInterval?: HumanDuration | string;
      /** On shutdown, how long running jobs may finish before they are released. Default 10 seconds. */
      shutdownGrace?: HumanDuration | string;
      /** Retry backoff: a random delay up to min(cap, base × 2^(attempt − 1)). Defaults 1 second and 5 minutes. */
      retryBackoff?: {
        base?: HumanDuration | string;
        cap?: HumanDuration | string;
      };
      /** How long succeeded, dead and cancelled jobs are kept. Default 7 days. */
      retention?: HumanDuration | string;
      /**
       * Attempts of a job whose type sets none (previews, GitHub write-back,
       * analytics); Slack messages keep 3 and health probes 1. Default 5.
       */
      maxAttempts?: number;
      /**
       * How long each outbound call a job makes (to a preview provider,
       * GitHub or Slack) may take, answer and body included. Past it the
       * call is aborted and the attempt fails with error class `timeout`,
       * retried like any transient failure, so a provider that never
       * answers cannot hold a worker. A provider's own
       * `opshub.providers.<name>.timeout` overrides it. Default 30 seconds.
       */
      callTimeout?: HumanDuration | string;
    };

    /**
     * Preview environment rules, the defaults of every entity; each can be
     * overridden per entity by an annotation (named with each rule).
     */
    previews?: {
      /** Build draft PRs at once instead of at ready_for_review. Default false. Annotation `opshub.dev/preview-build-drafts` ("true"/"false"). */
      buildDrafts?: boolean;
      /** A PR with this label gets no preview and loses the one it has. Default `opshub/skip`. Annotation `opshub.dev/preview-skip-label`. */
      skipLabel?: string;
      /** PR authors that never get a preview. Default dependabot[bot] and renovate[bot]. Annotation `opshub.dev/preview-skip-authors` (comma-separated). */
      skipAuthors?: string[];
      /** A preview expires this long after its PR's last push. Default 7 days. Annotation `opshub.dev/preview-ttl-hours`. */
      ttl?: HumanDuration | string;
      /** Live previews an entity may have at once; a PR beyond it fails with error class `quota` and a PR comment that says why. Default 10. Annotation `opshub.dev/preview-max-live`. */
      maxLive?: number;
      /** How often a running build is looked at. Default 5 seconds. */
      checkInterval?: HumanDuration | string;
      /** A build still running after this long fails with error class `timeout`. Default 30 minutes. */
      buildTimeout?: HumanDuration | string;
      /** A queued, building or destroying preview unchanged for this long, with no queued or running job of its own left, fails with error class `stuck` (its jobs died), which frees its place under `maxLive`. Checked every 5 minutes. Default `buildTimeout` + 15 minutes. */
      stuckAfter?: HumanDuration | string;
    };

    /**
     * Slack messages about previews (ready, failed, torn down). Off unless
     * `token` is set.
     */
    slack?: {
      /**
       * A bot token (`xoxb-…`) with `chat:write`.
       * @visibility secret
       */
      token?: string;
      /** Slack's Web API base URL. Default `https://slack.com/api/`. */
      apiUrl?: string;
      /** The channel for entities without a `slack.com/bot-notify` annotation; none by default. */
      defaultChannel?: string;
    };

    /** Encryption of environment variables (AES-256-GCM). */
    encryption?: {
      /**
       * The data keys, the first one active: new values are encrypted under
       * it, the others only decrypt what they encrypted until
       * `POST /api/opshub/org/encryption/rotate` re-encrypted it. `secret` is
       * the base64 of exactly 32 random bytes (`openssl rand -base64 32`);
       * `id` (1 to 64 of `A-Za-z0-9_.-`) is stored beside each value. Without
       * a key the environment variable routes answer 503; startup refuses a
       * malformed key, a duplicate id, and stored values under an id missing
       * here. A module may replace this ring (opshubEncryptionKeysExtensionPoint).
       */
      keys?: Array<{
        id?: string;
        /** @visibility secret */
        secret?: string;
      }>;
    };

    /** Environment variables, kept per entity and environment. */
    envvars?: {
      /**
       * Environments protected like production: writing their variables
       * (put, delete, restore, import) needs `opshub.envvar.write.production`
       * instead of `opshub.envvar.write`. Default `[production]`.
       */
      protectedEnvironments?: string[];
    };

    /**
     * Health checks. Probes connect directly (no proxy) through one SSRF-safe
     * client that checks every address it connects to, each redirect hop
     * included: loopback, unspecified, link-local (169.254.169.254 among
     * them), multicast and the IPv4-mapped, -compatible, NAT64 and 6to4
     * forms of any refused address are always refused, unless a CIDR of
     * `allowedNetworks` holds the address.
     */
    health?: {
      /** The shortest interval a check may have. Default 10 seconds. */
      minInterval?: HumanDuration | string;
      /**
       * Probes of one host (the URL's host and port) running at once in each
       * backend instance. Default 4.
       */
      perHostConcurrency?: number;
      /**
       * Probes running or about to start at once in each backend instance
       * (the health queue's workers). Default 256.
       */
      concurrency?: number;
      /**
       * Allow RFC 1918 (10/8, 172.16/12, 192.168/16), CGNAT (100.64/10) and
       * IPv6 unique-local (fc00::/7) addresses. Default false.
       */
      allowPrivateNetworks?: boolean;
      /**
       * CIDRs probed whatever the other rules say, e.g. `127.0.0.1/32` for a
       * service on the backend's own host. Default none.
       */
      allowedNetworks?: string[];
      /** Redirects a probe follows, each checked again. Default 5. */
      maxRedirects?: number;
      /**
       * How often due probes are enqueued (each as a job with its exact due
       * time) for the window up to the next time. Default 5 seconds.
       */
      scheduleInterval?: HumanDuration | string;
      /**
       * How long raw probe samples are kept; hourly rollups (count,
       * failures, degraded, latency percentiles) are kept 90 days and serve
       * uptime and charts beyond a day. Default 7 days.
       */
      sampleRetention?: HumanDuration | string;
      /** Checks OpsHub adds for every ready preview, on its URL. */
      previews?: {
        /**
         * A preview that becomes ready gets a check (removed at teardown).
         * Its probes obey the same network rules as every check. Default true.
         */
        enabled?: boolean;
        /** How often a preview is probed. Default 60 seconds. */
        interval?: HumanDuration | string;
        /**
         * Preview checks alert (Slack and Backstage notifications) as other
         * checks do. Default false: their state shows on the Previews tab only.
         */
        alert?: boolean;
      };
    };

    /** Deploy analytics. */
    analytics?: {
      /** Deploy events are kept at least this long. Default 400 days. */
      retention?: HumanDuration | string;
      /**
       * GitHub deployment environments that are production, matched
       * case-insensitively; `*` matches any run of characters. Deployments to
       * other environments are not recorded. Default `[production, prod*]`.
       */
      productionEnvironments?: string[];
      /**
       * Health incident states that count as a failed change for DORA's
       * change failure rate and recovery time: an incident on one of the
       * entity's own (non-preview) checks whose worst state is one of these
       * goes to the last successful production deploy finished before it
       * opened. Default `[down]`; `[degraded, down]` counts degradations too.
       */
      incidentStates?: Array<'degraded' | 'down'>;
      /** The weekly digest (Slack and Backstage notifications). */
      digest?: {
        /** Whether digests are sent. Default true. */
        enabled?: boolean;
        /**
         * When, as a five-field cron expression in `timeZone` (OpsHub
         * computes the runs itself: Backstage's scheduler has no time zone).
         * Default `0 9 * * 1` (Mondays at 09:00).
         */
        cron?: string;
        /** An IANA time zone, e.g. `Europe/Berlin`. Default `UTC`. */
        timeZone?: string;
      };
    };

    /** Preview providers built into opshub-backend. */
    providers?: {
      /**
       * The mock provider (`opshub.dev/preview-provider: mock`), for local
       * runs and tests: its builds deploy nothing. Installed only when this
       * block is present (`mock: {}` takes the defaults); without it an entity
       * naming `mock` gets no preview, like any provider no module installs.
       */
      mock?: {
        /** How long a build takes. Default 3 seconds. */
        delay?: HumanDuration | string;
        /** Share of heads whose build fails, 0 to 1 (deterministic per head). Default 0. */
        failureRate?: number;
        /** Preview URLs are `https://<entity name>-pr-<n>.<domain>`. Default `preview.opshub.test`. */
        domain?: string;
      };
    };
  };
}

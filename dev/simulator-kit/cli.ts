/**
 * What both simulators' command lines (`main.ts`) share: the common flags, each also read from an
 * environment variable `<PREFIX>_SIM_<NAME>`, failing with a message naming the flag, starting,
 * and closing on Ctrl+C. Flags override environment variables.
 */
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';

/** The flags both simulators take; each `main.ts` adds its own. */
const COMMON_FLAGS = {
  host: { type: 'string' },
  port: { type: 'string' },
  seed: { type: 'string' },
  faults: { type: 'string' },
  'webhook-url': { type: 'string' },
  'no-rate-limit': { type: 'boolean' },
  log: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsOptionsConfig;

type CommonValues = {
  [K in keyof typeof COMMON_FLAGS]?: (typeof COMMON_FLAGS)[K]['type'] extends 'boolean' ? boolean : string;
};

export class SimulatorCli {
  /** `program` names the simulator in messages; `envPrefix` is `ONCALL_SIM` or `PAGERDUTY_SIM`. */
  constructor(
    private readonly program: string,
    private readonly envPrefix: string,
    private readonly help: string,
  ) {}

  /** Parses the common flags and `flags`; `--help` prints the help and exits. */
  parse<F extends ParseArgsOptionsConfig>(flags: F) {
    const { values } = parseArgs({ options: { ...COMMON_FLAGS, ...flags } });
    if ((values as CommonValues).help) {
      console.log(this.help);
      process.exit(0);
    }
    return values;
  }

  /** Explicitly typed so that a call narrows what it guards (TypeScript asks that of `never` functions). */
  readonly fail: (message: string) => never = (message) => {
    console.error(`${this.program}: ${message}\nRun with --help for the options.`);
    process.exit(2);
  };

  /** The environment variable `<PREFIX>_<name>`. */
  env(name: string): string | undefined {
    return process.env[`${this.envPrefix}_${name}`];
  }

  host(values: CommonValues): string {
    return values.host ?? this.env('HOST') ?? '127.0.0.1';
  }

  seed(values: CommonValues): 'demo' | 'empty' {
    const seed = values.seed ?? this.env('SEED') ?? 'demo';
    if (seed !== 'demo' && seed !== 'empty') this.fail(`--seed must be "demo" or "empty", got "${seed}"`);
    return seed as 'demo' | 'empty';
  }

  /** `--faults` as JSON, checked by the simulator's `validateFaults`. */
  faults<F>(values: CommonValues, validate: (f: unknown) => F): F | undefined {
    const text = values.faults ?? this.env('FAULTS');
    if (!text) return undefined;
    try {
      return validate(JSON.parse(text));
    } catch (e) {
      return this.fail(`--faults: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  webhookUrl(values: CommonValues): string | undefined {
    return values['webhook-url'] ?? this.env('WEBHOOK_URL');
  }

  rateLimitOff(values: CommonValues): boolean {
    return (values['no-rate-limit'] ?? false) || this.env('RATE_LIMIT') === 'off';
  }

  log(values: CommonValues): boolean {
    return values.log ?? this.env('LOG') === '1';
  }

  /** Starts the simulator; a failure (a port in use) ends the program with a hint. */
  start<S extends { close(): Promise<void> }>(starting: Promise<S>): Promise<S> {
    return starting.catch((e: unknown) =>
      this.fail(
        `could not start: ${e instanceof Error ? e.message : String(e)} (is the port already in use? try --port 0)`,
      ),
    );
  }

  /** Ctrl+C or SIGTERM closes the simulator, then exits. */
  closeOnSignals(sim: { close(): Promise<void> }): void {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      console.log(`\n${signal}: closing the simulator…`);
      void sim.close().then(() => process.exit(0));
    };
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
  }
}

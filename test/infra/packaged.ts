import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A CloudFormation template as JSON, loosely typed for assertions. */
export interface Template {
  Resources: Record<string, Resource>;
  Outputs: Record<string, { Value: unknown }>;
  Conditions?: Record<string, unknown>;
}

export interface Resource {
  Type: string;
  Properties: Record<string, any>;
  DependsOn?: string | string[];
  DeletionPolicy?: string;
}

export interface PackagedService {
  /** Folder holding the template and one zip per function. */
  dir: string;
  templatePath: string;
  template: Template;
}

export const projectDir = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Packages the service offline into a fresh temporary folder, through the
 * same wrapper `npm run package` uses, so the project's .serverless is
 * left alone. Takes some seconds: call it once per file.
 */
export function packageService(stage: string): PackagedService {
  const dir = mkdtempSync(join(tmpdir(), 'ml-intake-package-'));
  runOsls(['package', '--stage', stage, '--package', dir]);

  const templatePath = join(dir, 'cloudformation-template-update-stack.json');
  const template = JSON.parse(readFileSync(templatePath, 'utf8')) as Template;
  return { dir, templatePath, template };
}

/** The resource of a template with that logical id; throws if none. */
export function resourceOf(template: Template, logicalId: string): Resource {
  const found = template.Resources[logicalId];
  if (!found) throw new Error(`no resource ${logicalId} in the template`);
  return found;
}

/**
 * The service configuration with every variable resolved for `stage`, as
 * `osls print` shows it; quicker than packaging when only the resources
 * and the functions' own settings matter. `params` are `name=value` pairs
 * for --param.
 */
export function printConfig(stage: string, params: string[] = []): {
  resources: Pick<Template, 'Resources'>;
  functions: Record<string, { environment?: Record<string, unknown> }>;
} {
  const stdout = runOsls(['print', '--stage', stage, '--format', 'json',
    ...params.map((param) => `--param=${param}`)]);
  return JSON.parse(stdout);
}

function runOsls(args: string[]): string {
  const script = join(projectDir, 'scripts', 'package.mjs');
  // No credentials on purpose: packaging must never need them.
  const env = { ...process.env };
  for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY',
    'AWS_SESSION_TOKEN', 'AWS_PROFILE']) {
    delete env[name];
  }
  const result = spawnSync(process.execPath, [script, ...args], {
    cwd: projectDir,
    env,
    encoding: 'utf8',
    timeout: 50_000,
  });
  if (result.status !== 0) {
    throw new Error(`osls ${args.join(' ')} failed (${result.status}):\n`
      + `${result.stdout}\n${result.stderr}`);
  }
  return result.stdout;
}

/** A finding of AWS's offline CloudFormation validator. */
export interface Finding {
  ruleId: string;
  severity: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'FATAL';
  message: string;
  entity?: { logicalId?: string };
  propertyPath?: string;
}

/** Runs @aws/cloudformation-validate (WASM, offline) on a template file. */
export function validateTemplate(templatePath: string): Finding[] {
  // The package is CommonJS only; its named exports do not load as ESM.
  const require = createRequire(import.meta.url);
  const { RegoEngine, TemplateFile } =
    require('@aws/cloudformation-validate');
  const engine = new RegoEngine();
  try {
    return engine.validateStandard(new TemplateFile(templatePath)).diagnostics;
  } finally {
    engine.free();
  }
}

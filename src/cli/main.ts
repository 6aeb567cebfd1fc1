#!/usr/bin/env node
import { Command, Option } from 'commander';
import { TOOL_VERSION } from '../version.js';
import { runCommand } from './run.js';

/**
 * The command line: flags and help only. Each command's work lives in commands/<name>.ts, loaded when the
 * command runs so `tidemark --help` stays instant; exit codes are decided in run.ts.
 */

const program = new Command();

program
  .name('tidemark')
  .description(
    'Declarative schema-as-code for PostgreSQL: describe tables in YAML, review a safe plan, apply it.',
  )
  .version(TOOL_VERSION, '-v, --version')
  .option('-c, --config <file>', 'configuration file (default: tidemark.yaml in this or a parent directory)')
  .option('--no-color', 'plain output without colours (also honoured: NO_COLOR)')
  .option(
    '--no-cache',
    'parse every schema file afresh instead of reusing .tidemark/cache (also: TIDEMARK_CACHE=off)',
  )
  .showHelpAfterError('(run with --help for usage)')
  .addHelpText(
    'after',
    `
Examples:
  $ tidemark validate                          check schema/ offline
  $ tidemark pull --db "$DATABASE_URL"         write YAML for an existing database
  $ tidemark plan                              what would change on the local default database
  $ tidemark plan --out plans/add-fk.plan.json save a plan for review
  $ tidemark apply --plan plans/add-fk.plan.json
  $ tidemark drift --format github             fail CI when the database drifted from schema/

Without --db or DATABASE_URL, commands use a local PostgreSQL kept under .tidemark/ in the project.
Docs: docs/getting-started.md, docs/schema-format.md, docs/safety.md`,
  );

const dbOption = () =>
  new Option('--db <url>', 'target database URL (default: $DATABASE_URL, else the local default database)');
const schemaDirOption = () =>
  new Option('--schema-dir <dir>', 'directory of desired-state YAML (default: schema/)');
const schemasOption = () =>
  new Option('--schemas <list>', 'managed schemas, comma separated (default: from the YAML)');

program
  .command('validate')
  .description('check the desired-state YAML offline: syntax, keys, types, references, SQL expressions')
  .addOption(schemaDirOption())
  .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
  .addHelpText(
    'after',
    `
Exit codes: 0 valid, 1 problems found (each printed as file:line:col: message).

Examples:
  $ tidemark validate
  $ tidemark validate --schema-dir db/schema --format json`,
  )
  .action((opts, cmd) => runCommand('validate', opts, cmd));

program
  .command('pull')
  .description('write desired-state YAML describing a live database')
  .addOption(dbOption())
  .addOption(schemasOption())
  .addOption(new Option('--out <dir>', 'directory to write (default: the schema directory)'))
  .option('--force', 'overwrite a directory that already holds files')
  .addHelpText(
    'after',
    `
One file per table plus types.yaml for extensions, enums and sequences. Same database, same bytes.

Examples:
  $ tidemark pull --db postgres://app@db.internal/app --out schema
  $ tidemark pull --schemas public,billing --out /tmp/current --force`,
  )
  .action((opts, cmd) => runCommand('pull', opts, cmd));

program
  .command('plan')
  .description('compute the ordered, reviewed steps that bring the database to the desired state')
  .addOption(dbOption())
  .addOption(schemaDirOption())
  .addOption(schemasOption())
  .addOption(
    new Option('--shadow-url <url>', 'database to compile the desired state in (default: temporary)'),
  )
  .addOption(new Option('--format <format>', 'output format').choices(['text', 'sql', 'json', 'markdown']))
  .addOption(new Option('--out <file>', 'save the plan for apply (plans/<name>.plan.json)'))
  .addOption(
    new Option('--allow-hazards <codes>', 'hazard codes approved in the saved plan, comma separated'),
  )
  .option('--no-prechecks', 'do not query live rows for orphans, duplicates, NULLs and uncastable values')
  .addOption(new Option('--precheck-timeout <duration>', 'time limit for each precheck query').default('5s'))
  .option('--detailed-exitcode', 'exit 2 when there are changes, 0 when none')
  .addHelpText(
    'after',
    `
Exit codes: 0 no changes (or any success without --detailed-exitcode), 2 changes present, 1 error.

Examples:
  $ tidemark plan
  $ tidemark plan --db "$STAGING_URL" --format markdown > plan.md
  $ tidemark plan --out plans/2026-11-add-parent-fk.plan.json`,
  )
  .action((opts, cmd) => runCommand('plan', opts, cmd));

program
  .command('apply')
  .description('apply a saved plan, or plan and apply the schema directory after confirmation')
  .addOption(dbOption())
  .addOption(
    new Option('--plan <file>', 'saved plan to apply exactly (refused if the database changed since)'),
  )
  .addOption(schemaDirOption())
  .addOption(schemasOption())
  .addOption(new Option('--shadow-url <url>', 'database to compile the desired state in'))
  .addOption(new Option('--allow-hazards <codes>', 'hazard codes you accept, comma separated'))
  .option('--yes', 'do not ask for confirmation (for scripts)')
  .option('--no-snapshot', 'skip the pg_dump snapshot (recorded in the ledger)')
  .addOption(new Option('--lock-timeout <duration>', 'lock_timeout per transaction (default 2s)'))
  .addHelpText(
    'after',
    `
A snapshot is taken before the first change; a failed or killed apply resumes when run again.

Examples:
  $ tidemark apply --plan plans/2026-11-add-parent-fk.plan.json
  $ tidemark apply --yes --allow-hazards INDEX_BUILD,FULL_SCAN`,
  )
  .action((opts, cmd) => runCommand('apply', opts, cmd));

program
  .command('drift')
  .description('compare the live database with the schema directory; exit 2 when they differ')
  .addOption(dbOption())
  .addOption(schemaDirOption())
  .addOption(schemasOption())
  .addOption(new Option('--shadow-url <url>', 'database to compile the desired state in'))
  .addOption(new Option('--format <format>', 'output format').choices(['text', 'json', 'markdown', 'github']))
  .addHelpText(
    'after',
    `
Exit codes: 0 no drift, 2 drift found, 1 error.

Examples:
  $ tidemark drift --db "$PROD_RO_URL"
  $ tidemark drift --format github             annotations on the YAML lines in a GitHub Actions run`,
  )
  .action((opts, cmd) => runCommand('drift', opts, cmd));

await program.parseAsync(process.argv);

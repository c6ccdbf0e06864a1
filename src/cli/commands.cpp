#include "cli/commands.hpp"

#include <iostream>

namespace famulor::cli {

const std::vector<Command>& commands() {
  static const std::vector<Command> kCommands = {
      {"validate", "check workflow files",
       "usage: famulor validate FILE...\n"
       "\n"
       "Checks each workflow file. Prints `FILE: ok` for a valid file and one line per\n"
       "problem otherwise: `FILE:LINE:COL: message (at JSON-PATH)`.\n"
       "Exit status: 0 when every file is valid, 1 otherwise, 2 on a usage error.\n",
       cmd_validate},
      {"run", "run a workflow once for one event and print the run",
       "usage: famulor run WORKFLOW [--event EVENT.json] [--workflows DIR] [--threads N]\n"
       "                   [--db PATH] [--dry-run] [--sandbox] [--connectors DIR]\n"
       "                   [--allow-host HOST]... [--master-key-file FILE]\n"
       "\n"
       "Runs WORKFLOW once with the event in EVENT.json (`-` reads standard input; no\n"
       "--event means the empty object) as its trigger, waits for the run to finish and\n"
       "prints the run as JSON. --workflows DIR installs every *.json workflow in DIR\n"
       "as well, so `subworkflow` nodes can call them.\n"
       "--db PATH records the workflow version and the run in the store at PATH (see\n"
       "`famulor runs`); a `wait` node then sleeps durably.\n"
       "\n"
       "Connectors: --dry-run sends nothing; each connector node's output is the exact\n"
       "request (method, URL, headers with secrets redacted, body). --sandbox starts the\n"
       "sandbox on 127.0.0.1 and points every connector at it with placeholder\n"
       "credentials (no network, no real secrets). Otherwise credentials come from the\n"
       "vault in --db under FAMULOR_MASTER_KEY or --master-key-file. --connectors DIR\n"
       "adds or overrides manifests; --allow-host lets calls reach an internal host.\n"
       "Exit status: 0 when the run succeeded, 1 when the workflow is invalid or the run\n"
       "failed, 2 on a usage error.\n",
       cmd_run},
      {"runs", "list, show, retry and cancel recorded runs",
       "usage: famulor runs list [--workflow W] [--status S] [--limit N] [--cursor C] [--json] [--db PATH]\n"
       "       famulor runs show ID [--db PATH]\n"
       "       famulor runs retry ID [--from-node NODE] [--current] [--threads N] [--db PATH]\n"
       "       famulor runs cancel ID [--db PATH]\n"
       "\n"
       "Reads and operates on the runs recorded in the store at PATH (default famulor.db).\n"
       "  list    newest first, as a table (id, workflow, version, status, started,\n"
       "          duration, error), or with --json as {\"runs\": [run JSON...], \"next\"}.\n"
       "          S: queued, running, waiting, succeeded, failed, cancelled. N: 1-1000\n"
       "          (default 50); C: the `next` cursor of the previous page.\n"
       "  show    the run JSON: every node's status, input, output, error and timings.\n"
       "  retry   runs a failed or cancelled run again, from its failed node (or from\n"
       "          NODE): the nodes before it keep their recorded outputs and do not run\n"
       "          again. It runs the workflow version it ran, or with --current the\n"
       "          latest stored version. Waits for the run and prints the run JSON.\n"
       "  cancel  records a run that has not finished (e.g. waiting on a timer) cancelled,\n"
       "          so that no engine resumes it.\n"
       "Exit status: 0 success (retry: the run succeeded; cancel: it was cancelled), 1 when\n"
       "the run is unknown, already final (cancel), did not succeed (retry) or the store\n"
       "cannot be opened, 2 on a usage error.\n",
       cmd_runs},
      {"connectors", "list the installed connectors and their operations",
       "usage: famulor connectors list [--json] [--connectors DIR]\n"
       "       famulor connectors show NAME [--json] [--connectors DIR]\n"
       "\n"
       "`list` prints one line per app (operations, auth kinds, base URL); `show` prints\n"
       "an app's operations with their method, path and params. --json prints the same\n"
       "as JSON. --connectors DIR adds or overrides manifests.\n",
       cmd_connectors},
      {"credentials", "manage the encrypted credential vault",
       "usage: famulor credentials set NAME --connector APP (--field KEY=VALUE... | --from-env PREFIX)\n"
       "       famulor credentials list [--json]\n"
       "       famulor credentials delete NAME\n"
       "       famulor credentials rotate-key [--new-key-file FILE]\n"
       "   each with [--db PATH] (default famulor.db) [--master-key-file FILE]\n"
       "\n"
       "Credentials are encrypted (AES-256-GCM) under the master key: FAMULOR_MASTER_KEY\n"
       "(base64 of 32 bytes; make one with `head -c32 /dev/urandom | base64`) or\n"
       "--master-key-file. --from-env PREFIX takes every variable PREFIXNAME as field\n"
       "`name` (HUBSPOT_ACCESS_TOKEN with --from-env HUBSPOT_ -> access_token).\n"
       "`list` shows names, apps, key ids and whether the current key opens each one,\n"
       "never a value. `rotate-key` re-encrypts everything under a new key: read from\n"
       "--new-key-file when that file exists, else generated (written to the file, mode\n"
       "0600, or printed alone on stdout).\n",
       cmd_credentials},
      {"sandbox", "serve local fakes of every connector's API",
       "usage: famulor sandbox [--listen HOST:PORT] [--connectors DIR]\n"
       "\n"
       "Serves every connector's API from its manifest (default 127.0.0.1:4010) until\n"
       "SIGINT or SIGTERM; prints `listening on http://HOST:PORT` first. Requests go to\n"
       "/<app>/<the app's path>; the sandbox checks method, path, credentials and\n"
       "required fields and answers sample responses. Point a connector at it with\n"
       "FAMULOR_<APP>_BASE_URL=http://HOST:PORT/<app>. Control routes:\n"
       "GET /_sandbox/requests (what it received), DELETE /_sandbox/requests,\n"
       "POST /_sandbox/fail {\"app\",\"operation\"?,\"status\",\"body\"?,\"delay_ms\"?,\"count\"?},\n"
       "GET /_sandbox/apps.\n",
       cmd_sandbox},
      {"serve", "serve webhooks and the management API over HTTP",
       "usage: famulor serve [--listen HOST:PORT] [--db PATH] [--workflows DIR] [--connectors DIR]\n"
       "                     [--sandbox] [--dry-run] [--allow-host HOST]... [--master-key-file FILE]\n"
       "                     [--insecure-webhooks] [--metrics-open] [--max-running N] [--max-queued N]\n"
       "                     [--public-url URL] [--threads N]\n"
       "\n"
       "Serves the HTTP API of docs/server.md (default 127.0.0.1:8080, store famulor.db)\n"
       "until SIGINT or SIGTERM; prints `listening on http://HOST:PORT` first. Installs\n"
       "every *.json workflow in DIR (an invalid file is reported and skipped).\n"
       "Management routes need `Authorization: Bearer <token>` (`famulor tokens create`).\n"
       "FAMULOR_SECRET_HOOKS (comma-separated) makes /v1/hooks/* require Famulor-Signature;\n"
       "the voice routes /v1/voice/* check FAMULOR_SECRET_VAPI, _RETELL, _ELEVENLABS,\n"
       "_FAMULOR and _TWILIO (docs/voice-platforms.md). Without every secret a\n"
       "non-loopback --listen is refused unless --insecure-webhooks. --public-url\n"
       "(or FAMULOR_PUBLIC_URL) is the URL the platforms call, for Twilio's signature.\n"
       "GET /metrics (Prometheus text) needs a viewer token unless --metrics-open.\n"
       "On a signal it stops accepting, answers requests in progress and stops the\n"
       "engine; unfinished runs stay in the store and resume on the next start.\n"
       "At most --max-running runs (default 1000) execute at once and --max-queued\n"
       "(default 10000) wait; beyond that events get 503 with Retry-After (0 = no limit).\n"
       "--threads N: worker threads for the engine and the HTTP server (default twice\n"
       "the cores, at least 4).\n",
       cmd_serve},
      {"audit", "read the audit log (management actions and connector calls)",
       "usage: famulor audit [--since T] [--action A] [--workflow W] [--limit N] [--json] [--db PATH]\n"
       "\n"
       "Newest first (default 100 entries). Every management action (who: a token id and\n"
       "name, or `cli`; what; on what; the outcome) and every connector call (workflow,\n"
       "run, node, app.operation, HTTP status, duration). Never a secret or a body.\n"
       "--since takes an ISO 8601 time, a date, or a duration back from now (24h, 7d);\n"
       "--action run matches run.retry and run.cancel.\n",
       cmd_audit},
      {"privacy", "erase one person's phone number or e-mail address from the store",
       "usage: famulor privacy erase (--phone +E164 | --email ADDR) [--dry-run] [--json] [--db PATH]\n"
       "\n"
       "Replaces the contact with \"[erased]\" in every stored event (run trigger),\n"
       "run response and error, and node output, input and error, then rewrites the\n"
       "database file so that no copy stays (secure delete, WAL truncated, VACUUM).\n"
       "A phone number matches in any formatting (+49 30 123456, 030/123456,\n"
       "0049 30 123456...); an address case-insensitively. --dry-run only reports.\n"
       "Prints the runs and nodes it touched. Stop `serve` on the database first for a\n"
       "complete erase (a running engine may write the contact again).\n",
       cmd_privacy},
      {"tokens", "create, list and revoke management API tokens",
       "usage: famulor tokens create --role viewer|operator|admin [--name N] [--db PATH]\n"
       "       famulor tokens list [--db PATH]\n"
       "       famulor tokens revoke ID [--db PATH]\n"
       "\n"
       "`create` prints the new token alone on one line (only its SHA-256 is stored; it\n"
       "cannot be shown again). `list` prints id, role, created, name - never a token.\n"
       "Roles: viewer reads; operator also retries and cancels runs; admin also manages\n"
       "workflows and tokens. A running serve sees changes at once.\n",
       cmd_tokens},
  };
  return kCommands;
}

const Command& command(const std::string& name) {
  for (const auto& c : commands())
    if (name == c.name) return c;
  static const Command kNone{"", "", "", nullptr};
  return kNone;
}

int usage_error(const Command& cmd, const std::string& message) {
  std::cerr << "famulor " << cmd.name << ": " << message << "\n"
            << "run `famulor " << cmd.name << " --help` for usage\n";
  return 2;
}

}  // namespace famulor::cli

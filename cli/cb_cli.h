/* cb_cli: the sub-commands of the `clusterbench` command. Each takes the
 * arguments after its name (argv[0] is the sub-command's name) and returns a
 * process exit code: 0 ok, 1 gate failed, 2 usage/input error, 3 runtime. */
#ifndef CB_CLI_H
#define CB_CLI_H

int cb_cli_sbatch(int argc, char **argv);     /* sbatch script generator */
int cb_cli_breakeven(int argc, char **argv);  /* DDP break-even model */
int cb_cli_gate(int argc, char **argv);       /* acceptance gate: PASS/FAIL per check */
int cb_cli_report(int argc, char **argv);     /* results -> report.md/.html, summary.csv */
int cb_cli_gpucheck(int argc, char **argv);   /* the table of a scripts/gpu-check run */

/* For the sub-commands (cli.c): "<prog>: <message>" and a newline on stderr;
 * returns 2, the exit code of a usage or input error. */
int cb_cli_usage_err(const char *prog, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Read one results path (a CSV file or a directory of them) into t; on
 * failure one line "prog: reason" on stderr. Returns the exit code: 0, 2 for
 * a path that cannot be read or parsed (bad input), 3 out of memory. */
struct cb_table;
int cb_cli_read_results(const char *prog, struct cb_table *t, const char *path);

#endif

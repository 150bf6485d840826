/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* edudma CLI: what its source files share. */
#ifndef EDUDMA_CLI_H
#define EDUDMA_CLI_H

#include <stdbool.h>
#include <stdint.h>

#include <json-c/json.h>

#include "libedudma.h"

/* exit statuses (edudma(1)) */
#define EXIT_OK		0	/* done, data verified where asked */
#define EXIT_FAIL	1	/* the operation failed, or data differ */
#define EXIT_USAGE	2	/* bad command line */

/* the options every command takes, and where they are kept */
struct cli {
	const char *device;	/* -d: "/dev/edudmaN", "N" or a PCI address */
	const char *command;	/* the command's name, for messages */
	bool json;		/* -j: one JSON document on stdout */
	bool quiet;		/* -q: no progress line */
	bool device_set;	/* -d was given */
};
extern struct cli cli;

/*
 * One option of a command: getopt_long's fields, with the argument's name
 * (NULL: none) and a line of help. The table ends with a NULL name.
 */
struct cli_opt {
	const char *name;
	int key;
	const char *arg;
	const char *help;
};

/*
 * cli_parse() - a command's command line, with getopt_long: the common
 * options (-d, -j, -q, -h) and @opts; @set is called for each of @opts.
 * @usage: the command's synopsis after its name, for --help
 * @npos: out: positional arguments, at @argv[optind..] (checked by the caller)
 * Return: -1 to go on, else the exit status (--help: 0; a bad option: 2).
 */
int cli_parse(int argc, char **argv, const char *usage, const struct cli_opt *opts,
	      int (*set)(int key, const char *arg, void *ctx), void *ctx, int *first_pos);

/* a usage error (exit status 2), "edudma CMD: ..." and a pointer to --help */
int cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * cli_fail() - @what failed with -errno @err: a message and a hint on
 * stderr, and with --json an error document on stdout (holding @partial,
 * if not NULL, which it takes). Return: EXIT_FAIL.
 */
int cli_fail(const char *what, int err, struct json_object *partial);
/* cli_emit() - print @doc (with --json), then free it; returns @status */
int cli_emit(struct json_object *doc, int status);
/* JSON values that are always valid JSON: non-finite doubles become null */
struct json_object *cli_json_double(double v);
struct json_object *cli_json_u64(uint64_t v);
void cli_json_add(struct json_object *o, const char *key, struct json_object *v);

int cli_open(const char *name, struct edudma **e);
uint64_t cli_now_ns(void);
int cli_parse_size_arg(const char *opt, const char *s, uint64_t *out);
int cli_parse_kind_arg(const char *s, uint32_t *kind);

/*
 * The device's limit as the device shows it: the window GET_INFO reports,
 * and the time of one DMA command, measured with one window-sized
 * transfer (the device's busy time over its command count).
 */
struct cli_limit {
	uint64_t window;	/* bytes per command */
	uint64_t command_ns;	/* device time per command */
	double bytes_per_s;	/* window / command time */
};
int cli_measure_limit(struct edudma *e, struct cli_limit *lim);

/* a progress line on stderr for long work: only on a terminal, not -q or -j */
struct cli_progress {
	bool on;
	uint64_t t0, last;
};
void cli_progress_start(struct cli_progress *p, const char *what);
void cli_progress_update(struct cli_progress *p, const char *what, uint64_t done,
			 uint64_t total, const char *unit);
void cli_progress_end(struct cli_progress *p);

int cmd_alloc(int argc, char **argv);
int cmd_copy(int argc, char **argv);
int cmd_share(int argc, char **argv);
int cmd_bench(int argc, char **argv);

/* the pattern alloc, copy and bench write and check */
void cli_fill(uint8_t *p, uint64_t len, uint64_t seed);
/*
 * cli_xfer_progress() - submit @x on @e asynchronously and reap it, with a
 * progress line of @planned commands (from the device's command counter)
 * while it runs. Return: 0 (then @x->commands, @x->device_ns are set) or -errno.
 */
int cli_xfer_progress(struct edudma *e, struct edudma_xfer *x, uint64_t planned,
		      const char *what);

#endif

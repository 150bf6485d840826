/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* edudma CLI: what its source files share. */
#ifndef EDUDMA_CLI_H
#define EDUDMA_CLI_H

#include <stdbool.h>
#include <stdint.h>

#include "libedudma.h"

/* options of alloc, copy and bench */
struct xfer_opts {
	uint64_t size;
	uint32_t kind;
	bool verify;
	bool quick;
};

extern const char *opt_device;
extern bool opt_json;

int fail(const char *what, int err);
int open_device(struct edudma **e);
uint64_t now_ns(void);
int parse_opts(int argc, char **argv, struct xfer_opts *o, bool need_size);
int cmd_copy(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_share(int argc, char **argv);

#endif

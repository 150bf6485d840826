/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* edudma CLI: what its source files share. */
#ifndef EDUDMA_CLI_H
#define EDUDMA_CLI_H

#include <stdbool.h>
#include <stdint.h>

#include "libedudma.h"

extern const char *opt_device;
extern bool opt_json;

int fail(const char *what, int err);
int open_device(struct edudma **e);
uint64_t now_ns(void);
int cmd_copy(int argc, char **argv);
int cmd_bench(int argc, char **argv);

#endif

// SPDX-License-Identifier: LGPL-2.1-or-later
/* The edudma CLI, run as a user would, output and exit status checked. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "lab.h"

static int run_cli(const char *args, char *out, size_t size)
{
	return lab_run_cli(args, out, size, false);
}

TestSuite(cli, .init = lab_init, .timeout = 60);

Test(cli, info_json)
{
	char out[8192];

	cr_assert_eq(run_cli("info --json", out, sizeof(out)), 0);
	cr_assert_not_null(strstr(out, "\"ident\": 16777453"), "%s", out);
	cr_assert_not_null(strstr(out, "\"irq_mode\": \"MSI\""), "%s", out);
	cr_assert_not_null(strstr(out, "\"devnode\": \"/dev/edudma0\""), "%s", out);
	cr_assert_not_null(strstr(out, "\"bar0_size\": 1048576"), "%s", out);
}

Test(cli, info_human)
{
	char out[8192];

	cr_assert_eq(run_cli("info", out, sizeof(out)), 0);
	cr_assert_not_null(strstr(out, "ident       0x010000ed (edu 1.0)"), "%s", out);
	cr_assert_not_null(strstr(out, "irq mode    MSI"), "%s", out);
}

Test(cli, factorial)
{
	char out[256];

	cr_assert_eq(run_cli("factorial 10", out, sizeof(out)), 0);
	cr_assert_str_eq(out, "10! = 3628800\n");
	cr_assert_eq(run_cli("factorial 13", out, sizeof(out)), 1);
	cr_assert_eq(run_cli("factorial --wrap 13", out, sizeof(out)), 0);
	cr_assert_str_eq(out, "13! = 1932053504 (mod 2^32)\n");
	cr_assert_eq(run_cli("-d 1 --json factorial 5", out, sizeof(out)), 0);
	cr_assert_str_eq(out, "{\"n\": 5, \"wrap\": false, \"result\": 120}\n");
	cr_assert_eq(run_cli("factorial x", out, sizeof(out)), 2);
	cr_assert_eq(run_cli("factorial", out, sizeof(out)), 2);
}

Test(cli, selftest_liveness_and_usage_errors)
{
	char out[512], want[32];

	cr_assert_eq(run_cli("selftest", out, sizeof(out)), 0);
	snprintf(want, sizeof(want), "%llu bytes", (unsigned long long)lab_window());
	cr_assert_not_null(strstr(out, want), "%s", out);
	cr_assert_eq(run_cli("liveness 0x0f0f0f0f", out, sizeof(out)), 0);
	cr_assert_str_eq(out, "wrote 0x0f0f0f0f, read 0xf0f0f0f0: alive\n");
	cr_assert_eq(run_cli("-d 9 selftest", out, sizeof(out)), 1);
	cr_assert_eq(run_cli("frobnicate", out, sizeof(out)), 2);
	cr_assert_eq(run_cli("", out, sizeof(out)), 2);
}

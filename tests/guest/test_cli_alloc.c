// SPDX-License-Identifier: LGPL-2.1-or-later
/* edudma alloc: the CLI's buffer round trip, per kind. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "lab.h"

static int run(const char *args, char *out, size_t size)
{
	return lab_run_cli(args, out, size, true);
}

TestSuite(cli_alloc, .init = lab_init, .timeout = 120);

Test(cli_alloc, every_kind_verifies)
{
	static const char *const kinds[] = { "auto", "coherent", "pages", "vmalloc" };
	char out[1024], args[128];

	for (int i = 0; i < 4; i++) {
		struct json_object *o;
		int rc;

		snprintf(args, sizeof(args), "alloc --kind %s --size 1M --verify --json", kinds[i]);
		o = lab_cli_json(args, &rc);
		cr_assert_eq(rc, 0, "%s", args);
		cr_assert(json_object_get_boolean(lab_json(o, "ok")));
		cr_assert(json_object_get_boolean(lab_json(o, "verified")));
		cr_assert_eq(json_object_get_int64(lab_json(o, "size")), 1 << 20);
		if (i)
			cr_assert_str_eq(json_object_get_string(lab_json(o, "kind")), kinds[i]);
		cr_assert_gt(json_object_get_int64(lab_json(o, "segments")), 0);
		json_object_put(o);
	}
	cr_assert_eq(run("alloc --size 4097 --verify", out, sizeof(out)), 0);
	cr_assert_not_null(strstr(out, "coherent buffer of 8192 bytes: 1 DMA segment"), "%s", out);
	cr_assert_not_null(strstr(out, ": ok"), "%s", out);
}

Test(cli_alloc, errors)
{
	char out[1024];

	cr_assert_eq(run("alloc", out, sizeof(out)), 2);
	cr_assert_eq(run("alloc --size 0", out, sizeof(out)), 2);
	cr_assert_eq(run("alloc --size 1Q", out, sizeof(out)), 2);
	cr_assert_eq(run("alloc --size 1M --kind cached", out, sizeof(out)), 2);
	cr_assert_eq(run("alloc --kind coherent --size 64M", out, sizeof(out)), 1);
	cr_assert_not_null(strstr(out, "Cannot allocate memory"), "%s", out);
	cr_assert_eq(run("alloc --size 100T", out, sizeof(out)), 1);
	cr_assert_not_null(strstr(out, "File too large"), "%s", out);
}

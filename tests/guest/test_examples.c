// SPDX-License-Identifier: LGPL-2.1-or-later
/* examples/: each program built as a user builds it, run, its ok line checked. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "lab.h"

/* run build/examples/NAME ARGS; its exit status, its output in @out */
static int example(const char *name, const char *args, char *out, size_t size)
{
	char cmd[512];
	size_t n;
	FILE *p;
	int st;

	snprintf(cmd, sizeof(cmd), "%s/build/examples/%s %s 2>&1", getenv("EDUDMA_ROOT"), name,
		 args);
	p = popen(cmd, "r");
	cr_assert_not_null(p);
	n = fread(out, 1, size - 1, p);
	out[n] = '\0';
	st = pclose(p);
	cr_assert(WIFEXITED(st), "%s did not exit", name);
	return WEXITSTATUS(st);
}

TestSuite(examples, .init = lab_init, .timeout = 120);

Test(examples, alloc_mmap)
{
	char out[1024];

	cr_assert_eq(example("alloc-mmap", "", out, sizeof(out)), 0, "%s", out);
	cr_assert_not_null(strstr(out, "ok: pages buffer of 1048576 bytes"), "%s", out);
}

Test(examples, transfer)
{
	char out[1024];

	cr_assert_eq(example("transfer", "/dev/edudma0", out, sizeof(out)), 0, "%s", out);
	cr_assert_not_null(strstr(out, "ok: copied 16384 bytes (coherent to vmalloc)"), "%s", out);
}

Test(examples, async_poll)
{
	char out[2048];

	cr_assert_eq(example("async-poll", "", out, sizeof(out)), 0, "%s", out);
	cr_assert_not_null(strstr(out, "queued transfer 4\n"), "%s", out);
	cr_assert_not_null(strstr(out, "ok: 4 async transfers reaped"), "%s", out);
}

Test(examples, share_dmabuf)
{
	char out[1024], args[16];
	int rc;

	snprintf(args, sizeof(args), "0 %d", lab_edu_count() > 1 ? 1 : 0);
	rc = example("share-dmabuf", args, out, sizeof(out));
	if (lab_can_import()) {
		cr_assert_eq(rc, 0, "%s", out);
		cr_assert_not_null(strstr(out, "ok: device B read 8192 bytes"), "%s", out);
	} else {
		/* a 28-bit device cannot reach the pages: the documented refusal */
		cr_assert_eq(rc, 1, "%s", out);
		cr_assert_not_null(strstr(out, "import: Operation not supported"), "%s", out);
	}
}

Test(examples, raw_uapi)
{
	char out[1024], want[64];

	cr_assert_eq(example("raw-uapi", "", out, sizeof(out)), 0, "%s", out);
	snprintf(want, sizeof(want), "ok: %llu bytes to the device window",
		 (unsigned long long)lab_window());
	cr_assert_not_null(strstr(out, want), "%s", out);
}

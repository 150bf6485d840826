// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The edudma CLI, run as a user would: output (JSON parsed with json-c),
 * exit status, help, options honoured or refused, errors with hints.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lab.h"

static int run_cli(const char *args, char *out, size_t size)
{
	return lab_run_cli(args, out, size, false);
}

static const char *jstr(struct json_object *o, const char *path)
{
	return json_object_get_string(lab_json(o, path));
}

static int64_t jint(struct json_object *o, const char *path)
{
	return json_object_get_int64(lab_json(o, path));
}

TestSuite(cli, .init = lab_init, .timeout = 120);

Test(cli, info_json)
{
	struct json_object *o = NULL;
	char node[32], bdf[32];
	int rc;

	o = lab_cli_json("info --json", &rc);
	cr_assert_eq(rc, 0);
	cr_assert_eq(json_object_array_length(lab_json(o, "devices")), (size_t)lab_edu_count());
	for (int i = 0; i < lab_edu_count(); i++) {
		char p[64];

		snprintf(p, sizeof(p), "devices.%d.info.minor", i);
		int minor = (int)jint(o, p);

		snprintf(node, sizeof(node), "/dev/edudma%d", minor);
		snprintf(p, sizeof(p), "devices.%d.node", i);
		cr_assert_str_eq(jstr(o, p), node);
		lab_bdf(minor, bdf, sizeof(bdf));
		snprintf(p, sizeof(p), "devices.%d.address", i);
		cr_assert_str_eq(jstr(o, p), bdf);
		snprintf(p, sizeof(p), "devices.%d.info.ident", i);
		cr_assert_eq(jint(o, p), 0x010000ed);
		snprintf(p, sizeof(p), "devices.%d.info.irq_mode", i);
		cr_assert_str_eq(jstr(o, p), "MSI");
		snprintf(p, sizeof(p), "devices.%d.info.window_bytes", i);
		cr_assert_eq(jint(o, p), (int64_t)lab_window());
		snprintf(p, sizeof(p), "devices.%d.bar0_size", i);
		cr_assert_eq(jint(o, p), 1 << 20);
		snprintf(p, sizeof(p), "devices.%d.driver", i);
		cr_assert_str_eq(jstr(o, p), "edudma");
	}
	cr_assert_str_eq(jstr(o, "devices.0.info.caps.0"), "factorial");
	json_object_put(o);
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
	struct json_object *o;
	char out[256];
	int rc;

	cr_assert_eq(run_cli("factorial 10", out, sizeof(out)), 0);
	cr_assert_str_eq(out, "10! = 3628800\n");
	cr_assert_eq(run_cli("factorial 13", out, sizeof(out)), 1);
	cr_assert_eq(run_cli("factorial --wrap 13", out, sizeof(out)), 0);
	cr_assert_str_eq(out, "13! = 1932053504 (mod 2^32)\n");
	cr_assert_eq(run_cli("factorial 13 --wrap", out, sizeof(out)), 0);
	cr_assert_str_eq(out, "13! = 1932053504 (mod 2^32)\n");
	o = lab_cli_json("-d 1 --json factorial 5", &rc);
	cr_assert_eq(rc, 0);
	cr_assert_eq(jint(o, "n"), 5);
	cr_assert_eq(jint(o, "result"), 120);
	cr_assert_eq(json_object_get_boolean(lab_json(o, "wrap")), 0);
	json_object_put(o);
	o = lab_cli_json("factorial --device=1 --json 13", &rc);
	cr_assert_eq(rc, 1);
	cr_assert_eq(jint(o, "error.errno"), EOVERFLOW);
	json_object_put(o);
	cr_assert_eq(run_cli("factorial x", out, sizeof(out)), 2);
	cr_assert_eq(run_cli("factorial", out, sizeof(out)), 2);
	cr_assert_eq(run_cli("factorial 1 2", out, sizeof(out)), 2);
}

Test(cli, selftest_liveness_and_usage_errors)
{
	char out[512], want[32];
	struct json_object *o;
	int rc;

	cr_assert_eq(run_cli("selftest", out, sizeof(out)), 0);
	snprintf(want, sizeof(want), "%llu bytes", (unsigned long long)lab_window());
	cr_assert_not_null(strstr(out, want), "%s", out);
	o = lab_cli_json("selftest -j", &rc);
	cr_assert_eq(rc, 0);
	cr_assert_eq(jint(o, "bytes"), (int64_t)lab_window());
	cr_assert_gt(jint(o, "to_device_ns"), 0);
	json_object_put(o);
	cr_assert_eq(run_cli("liveness 0x0f0f0f0f", out, sizeof(out)), 0);
	cr_assert_str_eq(out, "wrote 0x0f0f0f0f, read 0xf0f0f0f0: alive\n");
	cr_assert_eq(run_cli("-d 9 selftest", out, sizeof(out)), 1);
	cr_assert_eq(run_cli("frobnicate", out, sizeof(out)), 2);
	cr_assert_eq(run_cli("", out, sizeof(out)), 2);
	cr_assert_eq(run_cli("--frobnicate info", out, sizeof(out)), 2);
	cr_assert_eq(run_cli("info --frobnicate", out, sizeof(out)), 2);
	cr_assert_eq(run_cli("info extra", out, sizeof(out)), 2);
}

/* an error under --json is one JSON document too, with the errno and a hint */
Test(cli, errors_are_json_with_hints)
{
	char out[1024];
	struct json_object *o;
	int rc;

	o = lab_cli_json("-d 9 --json selftest", &rc);
	cr_assert_eq(rc, 1);
	cr_assert_eq(jint(o, "error.errno"), ENOENT);
	cr_assert_str_eq(jstr(o, "error.command"), "selftest");
	cr_assert_not_null(strstr(jstr(o, "error.hint"), "modprobe edudma"));
	json_object_put(o);
	o = lab_cli_json("-d /dev/null --json info", &rc);
	cr_assert_eq(rc, 0, "info does not open -d");
	json_object_put(o);
	o = lab_cli_json("-d /dev/null --json stats", &rc);
	cr_assert_eq(rc, 1);
	cr_assert_eq(jint(o, "error.errno"), ENODEV);
	json_object_put(o);
	cr_assert_eq(lab_run_cli("-d 9 stats", out, sizeof(out), true), 1);
	cr_assert_not_null(strstr(out, "edudma stats: open device '9': No such file or directory\n"
				  "edudma stats: hint: is edudma.ko loaded"), "%s", out);
}

/* every command has --help (exit 0, its options listed); the tool --version */
Test(cli, help_and_version)
{
	static const char *const cmds[] = { "info", "factorial", "liveness", "selftest", "stats",
					     "top", "alloc", "copy", "share", "bench", "version" };
	char out[4096], args[64];
	struct json_object *o;
	int rc;

	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		snprintf(args, sizeof(args), "%s --help", cmds[i]);
		cr_assert_eq(run_cli(args, out, sizeof(out)), 0, "%s", args);
		snprintf(args, sizeof(args), "usage: edudma %s ", cmds[i]);
		cr_assert_eq(strncmp(out, args, strlen(args)), 0, "%s", out);
		cr_assert_not_null(strstr(out, "--device=DEV"), "%s", out);
	}
	cr_assert_eq(run_cli("--help", out, sizeof(out)), 0);
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		cr_assert_not_null(strstr(out, cmds[i]), "%s", out);
	cr_assert_eq(run_cli("--version", out, sizeof(out)), 0);
	cr_assert_eq(strncmp(out, "edudma ", 7), 0, "%s", out);
	o = lab_cli_json("version --json", &rc);
	cr_assert_eq(rc, 0);
	cr_assert_str_eq(jstr(o, "library"), edudma_version());
	cr_assert_eq(jint(o, "uapi"), EDUDMA_API_VERSION);
	json_object_put(o);
}

/* options a command does not honour are refused, not ignored */
Test(cli, options_are_honoured_or_refused)
{
	char out[1024];

	cr_assert_eq(run_cli("alloc --size 4K --quick", out, sizeof(out)), 2);
	cr_assert_eq(run_cli("copy --size 4K --quick", out, sizeof(out)), 2);
	cr_assert_eq(run_cli("copy --size 4K --to 1", out, sizeof(out)), 2);
	cr_assert_eq(run_cli("bench --kind auto", out, sizeof(out)), 2);
	cr_assert_eq(run_cli("bench --size 0", out, sizeof(out)), 2);
	cr_assert_eq(run_cli("bench --json --csv -", out, sizeof(out)), 2);
	cr_assert_eq(run_cli("selftest --wrap", out, sizeof(out)), 2);
	cr_assert_eq(run_cli("alloc --size=8K --kind=pages", out, sizeof(out)), 0);
	cr_assert_not_null(strstr(out, "pages buffer of 8192 bytes"), "%s", out);
}

Test(cli, stats)
{
	struct json_object *o;
	uint64_t before;
	char out[4096];
	int rc;

	o = lab_cli_json("stats --json", &rc);
	cr_assert_eq(rc, 0);
	before = (uint64_t)jint(o, "allocs");
	cr_assert(lab_json_has(o, "buffers.pages"));
	cr_assert(lab_json_has(o, "dma_commands"));
	json_object_put(o);
	cr_assert_eq(run_cli("alloc --size 4K", out, sizeof(out)), 0);
	o = lab_cli_json("stats -j", &rc);
	cr_assert_eq(rc, 0);
	cr_assert_geq((uint64_t)jint(o, "allocs"), before + 1);
	json_object_put(o);
	cr_assert_eq(run_cli("stats", out, sizeof(out)), 0);
	cr_assert_not_null(strstr(out, "dma_commands"), "%s", out);
}

/* copy: JSON figures from the device, verify, one key per quantity */
Test(cli, copy_json)
{
	struct json_object *o;
	char args[128];
	int rc;

	snprintf(args, sizeof(args), "copy --kind coherent --size %llu --verify --json",
		 (unsigned long long)(2 * lab_window()));
	o = lab_cli_json(args, &rc);
	cr_assert_eq(rc, 0);
	cr_assert_eq(jint(o, "bytes"), (int64_t)(2 * lab_window()));
	cr_assert_eq(jint(o, "commands"), 4);
	cr_assert_eq(jint(o, "min_commands"), 4);
	cr_assert_eq(jint(o, "window_bytes"), (int64_t)lab_window());
	cr_assert_gt(jint(o, "command_ns"), 0);
	cr_assert_gt(jint(o, "device_ns"), 0);
	cr_assert_gt(json_object_get_double(lab_json(o, "time_vs_min")), 0.5);
	cr_assert(json_object_get_boolean(lab_json(o, "ok")));
	cr_assert(json_object_get_boolean(lab_json(o, "verified")));
	json_object_put(o);
}

/* bench: the rows asked for, every number finite, CSV, the plot a PNG */
Test(cli, bench_json_csv_and_plot, .timeout = 600)
{
	char args[1024], png[256], csv[256], line[512], magic[8];
	struct json_object *o, *rows;
	int rc, lines = 0;
	FILE *f;

	snprintf(png, sizeof(png), "%s/bench-test.png", getenv("EDUDMA_OUT"));
	snprintf(csv, sizeof(csv), "%s/bench-test.csv", getenv("EDUDMA_OUT"));
	snprintf(args, sizeof(args), "bench --quick --kind coherent --kind pages --verify --json "
		 "--csv %s --plot %s", csv, png);
	o = lab_cli_json(args, &rc);
	cr_assert_eq(rc, 0, "%s", json_object_to_json_string(o));
	rows = lab_json(o, "rows");
	cr_assert_eq(json_object_array_length(rows), 2 * 2 * 3);
	for (size_t i = 0; i < json_object_array_length(rows); i++) {
		struct json_object *r = json_object_array_get_idx(rows, i);
		double v = json_object_get_double(lab_json(r, "vs_limit"));

		cr_assert(v > 0.3 && v < 1.2, "vs_limit %f", v);
		cr_assert_str_neq(jstr(r, "kind"), "vmalloc");
		cr_assert_geq(jint(r, "commands"), jint(r, "min_commands"));
	}
	cr_assert_eq(jint(o, "limit.window_bytes"), (int64_t)lab_window());
	cr_assert_eq(jint(o, "aggregate.devices"), lab_edu_count());
	json_object_put(o);
	f = fopen(csv, "r");
	cr_assert_not_null(f);
	cr_assert_not_null(fgets(line, sizeof(line), f));
	cr_assert_eq(strncmp(line, "op,kind,bytes,commands,", 23), 0, "%s", line);
	while (fgets(line, sizeof(line), f))
		lines++;
	fclose(f);
	cr_assert_eq(lines, 12);
	f = fopen(png, "rb");
	cr_assert_not_null(f, "no plot");
	cr_assert_eq(fread(magic, 1, 8, f), 8);
	fclose(f);
	cr_assert_eq(memcmp(magic, "\x89PNG\r\n\x1a\n", 8), 0);
}

/* a progress line on a terminal, none when stderr is not one */
Test(cli, progress_only_on_a_terminal)
{
	char cmd[512], out[8192];
	size_t n;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "script -qec '%s/build/bin/edudma copy --size 32K' /dev/null",
		 getenv("EDUDMA_ROOT"));
	p = popen(cmd, "r");
	cr_assert_not_null(p);
	n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = '\0';
	cr_assert_eq(pclose(p), 0, "%s", out);
	cr_assert_not_null(strstr(out, "\rcopy ["), "no progress line on a terminal: %s", out);
	cr_assert_not_null(strstr(out, "100%"), "%s", out);
	cr_assert_eq(lab_run_cli("copy --size 32K", out, sizeof(out), true), 0);
	cr_assert_null(strchr(out, '\r'), "a progress line without a terminal: %s", out);
	cr_assert_eq(lab_run_cli("-q copy --size 32K", out, sizeof(out), true), 0);
}

/* top: a JSON line per refresh, every bound device in each, busy while a copy runs */
Test(cli, top_json_lines)
{
	char cmd[1024], out[16384], *line, *save;
	int lines = 0, busy = 0;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "cd %s/build/bin && { ./edudma -q copy --size 32K >/dev/null & "
		 "./edudma top --interval 0.5 --count 3 --json; rc=$?; wait; exit $rc; }",
		 getenv("EDUDMA_ROOT"));
	p = popen(cmd, "r");
	cr_assert_not_null(p);
	out[fread(out, 1, sizeof(out) - 1, p)] = '\0';
	cr_assert_eq(pclose(p), 0, "%s", out);
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct json_object *o = json_tokener_parse(line), *devs;

		cr_assert_not_null(o, "not JSON: '%s'", line);
		devs = lab_json(o, "devices");
		cr_assert_eq(json_object_array_length(devs), (size_t)lab_edu_count());
		cr_assert_str_eq(jstr(o, "devices.0.node"), "/dev/edudma0");
		busy += json_object_get_double(lab_json(o, "devices.0.commands_per_s")) > 0;
		cr_assert_geq(json_object_get_double(lab_json(o, "interval_s")), 0.45);
		json_object_put(o);
		lines++;
	}
	cr_assert_eq(lines, 3);
	cr_assert_geq(busy, 1, "no refresh saw the copy's commands");
	cr_assert_eq(run_cli("top --count 0", out, sizeof(out)), 2);
	cr_assert_eq(run_cli("top --interval 0.001", out, sizeof(out)), 2);
	cr_assert_eq(run_cli("-d 1 top --count 1", out, sizeof(out)), 0);
	cr_assert_not_null(strstr(out, "/dev/edudma1"), "%s", out);
	cr_assert_null(strstr(out, "/dev/edudma0"), "%s", out);
}

/* bench --user: registered memory side by side with PAGES and pin-per-transfer */
Test(cli, bench_user_json, .timeout = 600)
{
	int rc;
	struct json_object *o = lab_cli_json("bench --size 4096 --kind pages --user --json", &rc);
	struct json_object *u;

	cr_assert_eq(rc, 0, "%s", json_object_to_json_string(o));
	u = lab_json(o, "user_memory");
	cr_assert_eq(jint(u, "xfer_bytes"), 65536);
	cr_assert_gt(json_object_get_double(lab_json(u, "register_us_per_mib")), 0);
	cr_assert_gt(json_object_get_double(lab_json(u, "alloc_pages_us_per_mib")), 0);
	/* 16 pages: one command per window where they are contiguous, two where not */
	int64_t rcmd = jint(u, "registered.commands"), pc = jint(u, "pages.commands");

	cr_assert_geq(rcmd, pc);
	cr_assert_leq(rcmd, 2 * 16);
	cr_assert_eq(jint(u, "pin_each.commands"), rcmd, "the same memory, the same commands");
	double d = json_object_get_double(lab_json(u, "device_registered_vs_pages"));

	cr_assert(d > 0.8 * rcmd / pc && d < 1.25 * rcmd / pc, "device time registered/pages %f",
		  d);
	cr_assert_gt(json_object_get_double(lab_json(u, "pin_each_vs_registered")), 0.5);
	json_object_put(o);
}

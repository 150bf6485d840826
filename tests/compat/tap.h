/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * TAP for the 32-bit test programs (no 32-bit Criterion exists in Debian):
 * each check prints "ok N - SUITE::NAME" to stdout and to --tap=FILE.
 */
#ifndef EDUDMA_TAP_H
#define EDUDMA_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static FILE *tap;
static const char *tap_suite;
static int tap_n, tap_failed;

static void tap_start(const char *suite, int argc, char **argv)
{
	tap_suite = suite;
	for (int i = 1; i < argc; i++)
		if (!strncmp(argv[i], "--tap=", 6))
			tap = fopen(argv[i] + 6, "w");
	if (tap)
		fprintf(tap, "TAP version 13\n");
}

static void __attribute__((format(printf, 2, 3))) check(int ok, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	tap_n++;
	tap_failed += !ok;
	printf("%s %d - %s::%s\n", ok ? "ok" : "not ok", tap_n, tap_suite, msg);
	if (tap)
		fprintf(tap, "%s %d - %s::%s\n", ok ? "ok" : "not ok", tap_n, tap_suite, msg);
}

/* the plan line; the exit status */
static int tap_end(void)
{
	printf("1..%d\n", tap_n);
	if (tap) {
		fprintf(tap, "1..%d\n", tap_n);
		fclose(tap);
	}
	return tap_failed ? 1 : 0;
}

#endif

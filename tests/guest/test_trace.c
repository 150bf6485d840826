// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The driver's tracepoints (driver/edudma_trace.h), read through a tracefs
 * instance of the test's own: the exact event sequence of a transfer,
 * command by command as planned; a window scrub; buffer events. And the
 * read-only debugfs state file, idle and with a transfer in flight.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lab.h"

#define TRACEFS "/sys/kernel/tracing"

static char inst[128];

static void write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_TRUNC);

	cr_assert_geq(fd, 0, "%s: %s", path, strerror(errno));
	cr_assert_eq(write(fd, s, strlen(s)), (ssize_t)strlen(s), "%s", path);
	close(fd);
}

static void trace_on(void)
{
	char path[256];

	if (access(TRACEFS "/instances", F_OK))
		cr_assert_eq(mount("nodev", TRACEFS, "tracefs", 0, NULL), 0, "mount tracefs: %s",
			     strerror(errno));
	snprintf(inst, sizeof(inst), TRACEFS "/instances/edudma-test-%d", getpid());
	cr_assert_eq(mkdir(inst, 0700), 0, "%s: %s", inst, strerror(errno));
	snprintf(path, sizeof(path), "%s/events/edudma/enable", inst);
	write_file(path, "1");
}

/* the events since trace_on(), one per line without the header; the instance goes */
static char *trace_off(void)
{
	char path[256], *buf = calloc(1, 1 << 20);
	size_t n = 0;
	ssize_t r;
	int fd;

	cr_assert_not_null(buf);
	snprintf(path, sizeof(path), "%s/events/edudma/enable", inst);
	write_file(path, "0");
	snprintf(path, sizeof(path), "%s/trace", inst);
	fd = open(path, O_RDONLY);
	cr_assert_geq(fd, 0);
	while ((r = read(fd, buf + n, (1 << 20) - 1 - n)) > 0)
		n += (size_t)r;
	close(fd);
	cr_assert_eq(rmdir(inst), 0, "%s: %s", inst, strerror(errno));
	return buf;
}

/* the next event line after *pos: its name and the text after "edudmaN " */
static bool next_event(char **pos, char *name, size_t nsize, char *args, size_t asize)
{
	char *line;

	while ((line = strsep(pos, "\n"))) {
		char *e = strstr(line, ": edudma_"), *colon;

		if (line[0] == '#' || !e)
			continue;
		e += 2;
		colon = strchr(e, ':');
		cr_assert_not_null(colon, "%s", line);
		snprintf(name, nsize, "%.*s", (int)(colon - e), e);
		snprintf(args, asize, "%s", colon + 2);
		return true;
	}
	return false;
}

/* assert the next event is @want and its arguments hold each of @fields */
static void expect(char **pos, const char *want, const char *const *fields)
{
	char name[64], args[512];

	cr_assert(next_event(pos, name, sizeof(name), args, sizeof(args)), "no %s event", want);
	cr_assert_str_eq(name, want, "got %s: %s", name, args);
	for (; *fields; fields++)
		cr_assert_not_null(strstr(args, *fields), "%s: no '%s' in '%s'", want, *fields,
				   args);
}

#define FIELDS(...) ((const char *const[]){ __VA_ARGS__, NULL })

TestSuite(trace, .init = lab_init, .timeout = 120);

/* one transfer of a window and 100 bytes: two commands, as planned */
Test(trace, transfer_event_sequence)
{
	uint64_t w = lab_window();
	char len[32], pos2[32], all[32], chunk1[32], *t, *p;
	int fd = lab_open(0);
	struct edudma_alloc a;

	trace_on();
	cr_assert_eq(lab_alloc(fd, 8192, EDUDMA_BUF_COHERENT, &a), 0);
	cr_assert_eq(lab_xfer(fd, EDUDMA_XFER_TO_DEVICE, a.handle, 0, 0, 0, w + 100), 0);
	cr_assert_eq(lab_free(fd, a.handle), 0);
	t = trace_off();
	p = t;
	snprintf(all, sizeof(all), "len=%llu", (unsigned long long)(w + 100));
	snprintf(chunk1, sizeof(chunk1), "pos=0 len=%llu ", (unsigned long long)w);
	snprintf(pos2, sizeof(pos2), "pos=%llu len=100 ", (unsigned long long)w);
	snprintf(len, sizeof(len), "commands=2 len=%llu", (unsigned long long)(w + 100));
	expect(&p, "edudma_buf_alloc", FIELDS("edudma0 ", "kind=coherent", "size=8192", "segs=1"));
	expect(&p, "edudma_xfer_queue", FIELDS("seq=1 ", "op=to_device", all));
	expect(&p, "edudma_cmd_start", FIELDS("seq=1 ", "to_device", chunk1));
	expect(&p, "edudma_cmd_done", FIELDS("seq=1 ", "to_device", "err=0"));
	expect(&p, "edudma_cmd_start", FIELDS("seq=1 ", "to_device", pos2));
	expect(&p, "edudma_cmd_done", FIELDS("seq=1 ", "to_device", "err=0"));
	expect(&p, "edudma_xfer_done", FIELDS("seq=1 ", "status=0", len));
	expect(&p, "edudma_buf_free", FIELDS("kind=coherent", "size=8192"));
	free(t);
	close(fd);
}

/* a COPY: out and back per chunk; a read after another file's write: a scrub first */
Test(trace, copy_halves_and_scrub)
{
	int f1 = lab_open(0), f2 = lab_open(0);
	struct edudma_alloc a, b, c;
	char *t, *p;

	cr_assert_eq(lab_alloc(f1, 4096, EDUDMA_BUF_COHERENT, &a), 0);
	cr_assert_eq(lab_alloc(f1, 4096, EDUDMA_BUF_COHERENT, &b), 0);
	cr_assert_eq(lab_alloc(f2, 4096, EDUDMA_BUF_COHERENT, &c), 0);
	/* a whole window of f1's first: the window is then f1's, no scrub for its COPY */
	cr_assert_eq(lab_xfer(f1, EDUDMA_XFER_TO_DEVICE, a.handle, 0, 0, 0, lab_window()), 0);
	trace_on();
	cr_assert_eq(lab_xfer(f1, EDUDMA_XFER_COPY, a.handle, 0, b.handle, 0, 100), 0);
	cr_assert_eq(lab_xfer(f2, EDUDMA_XFER_FROM_DEVICE, 0, 0, c.handle, 0, 100), 0);
	t = trace_off();
	p = t;
	expect(&p, "edudma_xfer_queue", FIELDS("op=copy", "len=100"));
	expect(&p, "edudma_cmd_start", FIELDS("to_device", "pos=0 len=100 "));
	expect(&p, "edudma_cmd_done", FIELDS("to_device", "err=0"));
	expect(&p, "edudma_cmd_start", FIELDS("from_device", "pos=0 len=100 "));
	expect(&p, "edudma_cmd_done", FIELDS("from_device", "err=0"));
	expect(&p, "edudma_xfer_done", FIELDS("status=0", "commands=2"));
	expect(&p, "edudma_xfer_queue", FIELDS("op=from_device", "len=100"));
	expect(&p, "edudma_cmd_start", FIELDS("scrub"));
	expect(&p, "edudma_cmd_done", FIELDS("scrub", "err=0"));
	expect(&p, "edudma_cmd_start", FIELDS("from_device", "pos=0 len=100 "));
	expect(&p, "edudma_cmd_done", FIELDS("from_device", "err=0"));
	expect(&p, "edudma_xfer_done", FIELDS("status=0", "commands=1"));
	free(t);
	close(f1);
	close(f2);
}

/* sync and mmap are traced too */
Test(trace, sync_and_mmap)
{
	struct edudma_sync s = { .flags = EDUDMA_SYNC_START, .direction = EDUDMA_DIR_FROM_DEVICE,
				 .offset = 4096, .length = 4096 };
	int fd = lab_open(0);
	struct lab_buf b;
	char *t, *p;

	trace_on();
	lab_buf_alloc(fd, 16384, EDUDMA_BUF_PAGES, &b);
	s.handle = b.a.handle;
	cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_SYNC, &s), 0);
	lab_buf_free(fd, &b);
	t = trace_off();
	p = t;
	expect(&p, "edudma_buf_alloc", FIELDS("kind=pages", "size=16384"));
	expect(&p, "edudma_buf_mmap", FIELDS("offset=0 len=16384"));
	expect(&p, "edudma_buf_sync", FIELDS("offset=4096 len=4096", "dir=from_device", "start"));
	expect(&p, "edudma_buf_free", FIELDS("kind=pages"));
	free(t);
	close(fd);
}

static void read_state(char *out, size_t size)
{
	int fd = open("/sys/kernel/debug/edudma/edudma0/state", O_RDONLY);
	ssize_t n;

	cr_assert_geq(fd, 0, "debugfs state: %s", strerror(errno));
	n = read(fd, out, size - 1);
	cr_assert_gt(n, 0);
	out[n] = '\0';
	close(fd);
}

/* debugfs state: idle, then busy with a queue while async transfers run */
Test(trace, debugfs_state)
{
	struct edudma_xfer x = { .op = EDUDMA_XFER_TO_DEVICE, .flags = EDUDMA_XFER_ASYNC };
	struct edudma_wait w = { .timeout_ms = EDUDMA_WAIT_FOREVER };
	char st[2048];
	int fd = lab_open(0);
	struct edudma_alloc a;

	read_state(st, sizeof(st));
	cr_assert_not_null(strstr(st, "engine: idle\n"), "%s", st);
	cr_assert_not_null(strstr(st, "in flight: none\n"), "%s", st);
	cr_assert_not_null(strstr(st, "active files: 0\n"), "%s", st);
	cr_assert_not_null(strstr(st, "bounce: "), "%s", st);
	cr_assert_eq(lab_alloc(fd, 65536, EDUDMA_BUF_COHERENT, &a), 0);
	x.src_handle = a.handle;
	x.length = 65536;
	cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_XFER, &x), 0);
	cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_XFER, &x), 0);
	read_state(st, sizeof(st));
	cr_assert_not_null(strstr(st, "engine: busy\n"), "%s", st);
	cr_assert_not_null(strstr(st, " seq 1 to_device to_device pos "), "%s", st);
	cr_assert_not_null(strstr(st, " pending 2 outstanding 2\n"), "%s", st);
	cr_assert_not_null(strstr(st, "active files: 1\n"), "%s", st);
	w.seq = 0;
	cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_WAIT, &w), 0);
	w.seq = 0;
	cr_assert_eq(lab_ioctl(fd, EDUDMA_IOC_WAIT, &w), 0);
	read_state(st, sizeof(st));
	cr_assert_not_null(strstr(st, "engine: idle\n"), "%s", st);
	cr_assert_not_null(strstr(st, "'s data\n"), "%s", st);
	close(fd);
}
